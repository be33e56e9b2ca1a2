#!/usr/bin/env python3
"""PyTorch-eager counterpart of medseg-bench: the same PSPNet on torchvision's backbones.

The backbones are torchvision's own modules, dilated in place the way models/ dilates them, and
the head mirrors models/PyramidPooling + models/PSPNet (the 1x1 bin without BatchNorm, 3x3 conv to
512, BN, ReLU, Dropout2d 0.2, 1x1 classifier, bilinear upsampling). The parameter counts it prints
must equal medseg-bench's. Needs torch and torchvision (Debian: /usr/bin/python3 with
python3-torchvision).

    /usr/bin/python3 bench/pspnet_reference.py --size 256 --batch 2 --threads 2
"""
import argparse
import contextlib
import json
import os
import time

import torch
import torch.nn.functional as F
import torchvision
from torch import nn

BACKBONES = ["resnet18", "mobilenet_v3_large", "efficientnet_b0", "convnext_tiny"]


def dilate_convs(module, dilation):
    """Stride 1 and the given dilation for every k>1 convolution in `module`."""
    for conv in module.modules():
        if isinstance(conv, nn.Conv2d) and conv.kernel_size[0] > 1:
            conv.stride = (1, 1)
            conv.dilation = (dilation, dilation)
            conv.padding = ((conv.kernel_size[0] - 1) // 2 * dilation,) * 2


def dilate_resnet(model, output_stride):
    # torchvision's replace_stride_with_dilation convention: the first block of a dilated layer
    # keeps the previous dilation, the others use the new one.
    dilation = 1
    for layer, dilate in ((model.layer3, output_stride <= 8), (model.layer4, output_stride <= 16)):
        if not dilate:
            continue
        previous, dilation = dilation, dilation * 2
        for index, block in enumerate(layer):
            d = previous if index == 0 else dilation
            for conv in (block.conv1, block.conv2):
                conv.stride, conv.dilation, conv.padding = (1, 1), (d, d), (d, d)
            if block.downsample is not None:
                block.downsample[0].stride = (1, 1)


class SamePadConv(nn.Module):
    """ConvNeXt's 2x2 downsampling conv at stride 1 with "same" padding (dilated stages)."""

    def __init__(self, conv, dilation):
        super().__init__()
        conv.stride, conv.dilation = (1, 1), (dilation, dilation)
        self.conv = conv
        self.before = dilation // 2
        self.after = dilation - self.before

    def forward(self, x):
        return self.conv(F.pad(x, (self.before, self.after, self.before, self.after)))


def dilate_convnext(features, output_stride):
    stages = [(4, 5, output_stride <= 8), (6, 7, output_stride <= 16)]
    dilation = 1
    for down, blocks, dilate in stages:
        if not dilate:
            continue
        features[down][1] = SamePadConv(features[down][1], dilation)
        dilation *= 2
        for block in features[blocks]:
            conv = block.block[0]
            conv.dilation = (dilation, dilation)
            conv.padding = (3 * dilation, 3 * dilation)


def dilate_backbone(model, name, output_stride):
    """Dilates a torchvision classifier in place to output stride 8 or 16, as models/ does."""
    if output_stride == 32:
        return
    if name == "resnet18":
        dilate_resnet(model, output_stride)
    elif name == "convnext_tiny":
        dilate_convnext(model.features, output_stride)
    else:
        # the stride-16 and stride-32 stages, as indices into `features`
        stages = {"mobilenet_v3_large": (range(7, 13), range(13, 16)),
                  "efficientnet_b0": (range(4, 6), range(6, 8))}[name]
        if output_stride <= 8:
            for i in stages[0]:
                dilate_convs(model.features[i], 2)
        for i in stages[1]:
            dilate_convs(model.features[i], 4 if output_stride == 8 else 2)


def backbone_features(model, name):
    """The feature extractor of a torchvision classifier (what models/ calls the backbone)."""
    if name == "resnet18":
        return nn.Sequential(*list(model.children())[:-2])
    return model.features


class Backbone(nn.Module):
    def __init__(self, name, in_channels, output_stride):
        super().__init__()
        model = getattr(torchvision.models, name)()
        dilate_backbone(model, name, output_stride)
        self.body = backbone_features(model, name)
        self.channels = {"resnet18": 512, "mobilenet_v3_large": 960, "efficientnet_b0": 1280,
                         "convnext_tiny": 768}[name]
        first = model.conv1 if name == "resnet18" else model.features[0][0]
        if in_channels != 3:
            first.in_channels = in_channels
            first.weight = nn.Parameter(first.weight.mean(1, keepdim=True).repeat(
                1, in_channels, 1, 1) * 3 / in_channels)

    def forward(self, x):
        return self.body(x)


class PyramidPooling(nn.Module):
    def __init__(self, channels, bins):
        super().__init__()
        self.bins = bins
        branch = channels // len(bins)
        self.stages = nn.ModuleList()
        for b in bins:
            if b == 1:  # one value per channel: no BatchNorm (batch size 1 in training)
                layers = [nn.Conv2d(channels, branch, 1, bias=True)]
            else:
                layers = [nn.Conv2d(channels, branch, 1, bias=False), nn.BatchNorm2d(branch)]
            self.stages.append(nn.Sequential(*layers, nn.ReLU(inplace=True)))
        self.out_channels = channels + branch * len(bins)

    def forward(self, x):
        size = x.shape[-2:]
        outputs = [x]
        for b, stage in zip(self.bins, self.stages):
            y = stage(F.adaptive_avg_pool2d(x, b))
            outputs.append(F.interpolate(y, size=size, mode="bilinear", align_corners=False))
        return torch.cat(outputs, 1)


class PSPNet(nn.Module):
    def __init__(self, backbone, in_channels, classes, output_stride, bins=(1, 3, 5, 7)):
        super().__init__()
        self.backbone = Backbone(backbone, in_channels, output_stride)
        self.ppm = PyramidPooling(self.backbone.channels, list(bins))
        self.bottleneck = nn.Sequential(
            nn.Conv2d(self.ppm.out_channels, 512, 3, padding=1, bias=False),
            nn.BatchNorm2d(512), nn.ReLU(inplace=True))
        self.dropout = nn.Dropout2d(0.2)
        self.classifier = nn.Conv2d(512, classes, 1)

    def forward(self, x):
        y = self.classifier(self.dropout(self.bottleneck(self.ppm(self.backbone(x)))))
        return F.interpolate(y, size=x.shape[-2:], mode="bilinear", align_corners=False)


def medical_loss(logits, targets, alpha=0.7, gamma=2.0, smooth=1.0):
    """core/train's MedicalLoss: alpha * soft Dice + (1 - alpha) * softmax focal loss."""
    classes = logits.shape[1]
    log_p = F.log_softmax(logits.float(), 1)
    p = log_p.exp()
    one_hot = F.one_hot(targets, classes).permute(0, 3, 1, 2).to(p.dtype)
    dims = (0, 2, 3)
    intersection = (p * one_hot).sum(dims)
    dice = (2 * intersection + smooth) / (p.sum(dims) + one_hot.sum(dims) + smooth)
    dice_loss = 1 - dice.mean()
    log_pt = log_p.gather(1, targets.unsqueeze(1)).squeeze(1)
    focal = (-(1 - log_pt.exp()).pow(gamma) * log_pt).mean()
    return alpha * dice_loss + (1 - alpha) * focal


def make_optimizer(model, device):
    """AdamW with PyTorch's fastest update for the device: fused (CUDA from 2.0, CPU from 2.4),
    else foreach (multi-tensor)."""
    params = [p for p in model.parameters() if p.requires_grad]
    try:
        return torch.optim.AdamW(params, lr=1e-4, fused=True), "fused"
    except (TypeError, RuntimeError):
        pass
    try:
        return torch.optim.AdamW(params, lr=1e-4, foreach=True), "foreach"
    except TypeError:
        return torch.optim.AdamW(params, lr=1e-4), "single-tensor"


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


@contextlib.contextmanager
def profiled(args):
    """--profile: record the timed iterations' operators and write them as a chrome trace."""
    if not args.profile:
        yield
        return
    with torch.autograd.profiler.profile() as profiler:
        yield
    profiler.export_chrome_trace(args.profile)


def measure(name, args, device):
    model = PSPNet(name, args.in_channels, args.classes, args.output_stride).to(device)
    params = sum(p.numel() for p in model.parameters())
    images = torch.randn(args.batch, args.in_channels, args.size, args.size, device=device)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)
    amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(args.amp)
    autocast = (lambda: torch.autocast(device.type, dtype=amp_dtype)) if amp_dtype else \
        (lambda: torch.autocast(device.type, enabled=False))
    # torch.compile gets the network and the loss (the optimizer is PyTorch's fused kernel).
    runner = torch.compile(model, mode=args.compile_mode) if args.compile else model
    loss_fn = torch.compile(medical_loss, mode=args.compile_mode) if args.compile else medical_loss
    labels = torch.randint(args.classes, (args.batch, args.size, args.size), device=device)
    row = {"params": params / 1e6}
    if not args.train_only:
        model.eval()
        with torch.no_grad(), autocast():
            for _ in range(args.warmup):
                runner(images)
            sync(device)
            with profiled(args):
                start = time.perf_counter()
                for _ in range(args.iterations):
                    runner(images)
                sync(device)
                seconds = time.perf_counter() - start
        row["fwd_ms"] = 1000 * seconds / args.iterations
        row["fwd_ips"] = args.batch * args.iterations / seconds
    if not args.forward_only:
        model.train()
        optimizer, row["optimizer"] = make_optimizer(model, device)
        # torch.amp.GradScaler from 2.3 (torch.cuda.amp's is deprecated there), else 1.x's.
        grad_scaler = getattr(torch.amp, "GradScaler", None)
        scaler = grad_scaler("cuda", enabled=args.amp == "fp16") if grad_scaler else \
            torch.cuda.amp.GradScaler(enabled=args.amp == "fp16")

        def step():
            optimizer.zero_grad(set_to_none=True)
            with autocast():
                loss = loss_fn(runner(images), labels)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()

        for _ in range(args.warmup):
            step()
        sync(device)
        with profiled(args):
            start = time.perf_counter()
            for _ in range(args.iterations):
                step()
            sync(device)
            seconds = time.perf_counter() - start
        row["train_ms"] = 1000 * seconds / args.iterations
        row["train_ips"] = args.batch * args.iterations / seconds
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--output-stride", type=int, default=8, choices=[8, 16, 32])
    parser.add_argument("--classes", type=int, default=2)
    parser.add_argument("--in-channels", type=int, default=3)
    parser.add_argument("--backbones", default=",".join(BACKBONES))
    parser.add_argument("--amp", default="off", choices=["off", "bf16", "fp16"])
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--compile", action="store_true", help="torch.compile (PyTorch 2.x)")
    parser.add_argument("--compile-mode", default=None,
                        help="torch.compile mode: default, reduce-overhead, max-autotune")
    parser.add_argument("--cudnn-benchmark", action="store_true",
                        help="torch.backends.cudnn.benchmark = True")
    parser.add_argument("--json", action="store_true", help="one JSON object per backbone")
    parser.add_argument("--profile", metavar="FILE",
                        help="write the timed iterations' operators as a chrome trace (one backbone; "
                             "--forward-only or --train-only)")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--forward-only", action="store_true")
    group.add_argument("--train-only", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    torch.backends.cudnn.benchmark = args.cudnn_benchmark
    device = torch.device(args.device)
    if args.json:
        for name in args.backbones.split(","):
            print(json.dumps({"backbone": name, **measure(name, args, device)}), flush=True)
        return
    print(f"pspnet_reference: PyTorch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"device {args.device}, {torch.get_num_threads()} threads, input "
          f"{args.batch}x{args.in_channels}x{args.size}x{args.size}, output stride "
          f"{args.output_stride}, {args.classes} classes, {args.warmup} warm-up + "
          f"{args.iterations} timed iterations")
    print(f"{'backbone':<20} {'params M':>9} {'forward img/s':>14} {'forward ms':>12} "
          f"{'train img/s':>14} {'train ms':>12}")
    for name in args.backbones.split(","):
        r = measure(name, args, device)
        print(f"{name:<20} {r['params']:9.2f} {r.get('fwd_ips', 0):14.2f} "
              f"{r.get('fwd_ms', 0):12.1f} {r.get('train_ips', 0):14.2f} "
              f"{r.get('train_ms', 0):12.1f}", flush=True)


if __name__ == "__main__":
    main()
