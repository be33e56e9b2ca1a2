#!/usr/bin/env python3
"""Writes torchvision reference data for tst_TorchvisionEquivalence (run by ctest, never at build).

For each backbone: a randomly initialised torchvision model's state dict saved with torch.save
(the format of torchvision's ImageNet weight files) and, for a fixed input, in eval mode: the
backbone features, the classifier logits and the features at output stride 16 and 8 (torchvision's
model dilated in place by bench/pspnet_reference.py; for MobileNetV3 also torchvision's own
`dilated=True` variant). BatchNorm statistics, norm affines and ConvNeXt's layer
scale are randomised too, so that a wrongly mapped or skipped tensor changes the outputs.

Usage: /usr/bin/python3 torchvision_reference.py OUTPUT_DIR
Fails (exit 77) with a message when torch or torchvision cannot be imported.
"""
import os
import sys

try:
    import torch
    import torchvision
    from torch import nn
except ImportError as error:  # pragma: no cover - depends on the machine
    print(f"cannot compare with torchvision: {error} (install python3-torchvision)")
    sys.exit(77)

# bench/pspnet_reference.py dilates torchvision's models the way models/ does; an independent
# implementation of output stride 8 and 16 to compare with.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "bench"))
from pspnet_reference import backbone_features, dilate_backbone  # noqa: E402

ARCHS = ["resnet18", "mobilenet_v3_large", "efficientnet_b0", "convnext_tiny"]
SIZE = 64


def randomise_norms(model):
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.normal_(0.0, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.1)
                module.num_batches_tracked.fill_(7)
            elif isinstance(module, nn.LayerNorm):
                module.weight.uniform_(0.5, 1.5)
                module.bias.normal_(0.0, 0.1)
        for name, parameter in model.named_parameters():
            if name.endswith("layer_scale"):
                parameter.uniform_(0.2, 0.6)


def save_other_files(out_dir):
    """Files the reader must accept or reject with a reason."""
    small = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)).state_dict()
    torch.save({"epoch": 3, "state_dict": small}, os.path.join(out_dir, "checkpoint.pth"))
    torch.save(small, os.path.join(out_dir, "legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(torch.ones(3), os.path.join(out_dir, "tensor.pth"))
    # One entry only: pickle writes SETITEM rather than SETITEMS.
    torch.save({"only": torch.arange(6, dtype=torch.int64).reshape(2, 3).t()},
               os.path.join(out_dir, "single.pth"))


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    for index, arch in enumerate(ARCHS):
        torch.manual_seed(1000 + index)
        model = getattr(torchvision.models, arch)()
        randomise_norms(model)
        model.eval()
        torch.save(model.state_dict(), os.path.join(out_dir, f"{arch}.pth"))
        x = torch.randn(1, 3, SIZE, SIZE)
        outputs = {"input": x}
        with torch.no_grad():
            outputs["features"] = backbone_features(model, arch)(x)
            outputs["logits"] = model(x)
            for stride in (16, 8):
                dilated = getattr(torchvision.models, arch)()
                dilated.load_state_dict(model.state_dict())
                dilate_backbone(dilated, arch, stride)
                dilated.eval()
                outputs[f"features_os{stride}"] = backbone_features(dilated, arch)(x)
            if arch == "mobilenet_v3_large":
                # torchvision's own dilated variant (DeepLabV3 / LR-ASPP backbone), stride 16.
                dilated = torchvision.models.mobilenet_v3_large(dilated=True)
                dilated.load_state_dict(model.state_dict())
                dilated.eval()
                outputs["features_torchvision_dilated"] = dilated.features(x)
        torch.save(outputs, os.path.join(out_dir, f"{arch}_outputs.pth"))
        print(f"{arch}: {len(model.state_dict())} tensors, features "
              f"{tuple(outputs['features'].shape)}")
    save_other_files(out_dir)
    with open(os.path.join(out_dir, "versions.txt"), "w") as stamp:
        stamp.write(f"torch {torch.__version__}\ntorchvision {torchvision.__version__}\n")


if __name__ == "__main__":
    main()
