<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AugmentPreviewCommand</name>
    <message>
        <source>Write a grid of augmented image/mask pairs of a VOC dataset, to check the augmentation by eye.</source>
        <translation>将 VOC 数据集中经过增强的图像/掩码对写成一张网格图，以便目视检查数据增强效果。</translation>
    </message>
    <message>
        <source>The grid image to write (PNG).</source>
        <translation>要写入的网格图像（PNG）。</translation>
    </message>
    <message>
        <source>Augmentation level: none, low, medium or high.</source>
        <translation>数据增强强度：none、low、medium 或 high。</translation>
    </message>
    <message>
        <source>Number of image/mask pairs.</source>
        <translation>图像/掩码对的数量。</translation>
    </message>
    <message>
        <source>Seed of the augmentation.</source>
        <translation>数据增强的随机种子。</translation>
    </message>
    <message>
        <source>Folder of the VOC dataset.</source>
        <translation>VOC 数据集文件夹。</translation>
    </message>
    <message>
        <source>give a dataset folder and -o FILE.</source>
        <translation>请给出数据集文件夹和 -o FILE。</translation>
    </message>
    <message>
        <source>--level must be none, low, medium or high.</source>
        <translation>--level 必须是 none、low、medium 或 high。</translation>
    </message>
    <message>
        <source>%1: no image with a mask.</source>
        <translation>%1：没有带掩码的图像。</translation>
    </message>
    <message>
        <source>%1: cannot write the image.</source>
        <translation>%1：无法写入图像。</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n augmented pair(s) to %1.
</source>
        <translation>
            <numerusform>已将 %n 对增强后的图像/掩码写入 %1。
</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message>
        <source>Commands:</source>
        <translation>命令：</translation>
    </message>
    <message>
        <source>Run &apos;medseg COMMAND --help&apos; for a command&apos;s options.</source>
        <translation>运行 &apos;medseg COMMAND --help&apos; 查看某个命令的选项。</translation>
    </message>
    <message>
        <source>Exit codes:</source>
        <translation>退出码：</translation>
    </message>
    <message>
        <source>success</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>the job ran and failed</source>
        <translation>任务已运行但失败</translation>
    </message>
    <message>
        <source>unknown command, bad or missing arguments</source>
        <translation>未知命令，或参数错误、缺失</translation>
    </message>
    <message>
        <source>an input is missing, unreadable or invalid</source>
        <translation>输入缺失、无法读取或无效</translation>
    </message>
    <message>
        <source>an output could not be written</source>
        <translation>无法写入输出</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>unknown command &apos;%1&apos;. See &apos;medseg --help&apos;.</source>
        <translation>未知命令 &apos;%1&apos;。请参阅 &apos;medseg --help&apos;。</translation>
    </message>
    <message>
        <source>MedSeg Studio on the command line.</source>
        <translation>MedSeg Studio 命令行工具。</translation>
    </message>
    <message>
        <source>The command to run (see below).</source>
        <translation>要运行的命令（见下文）。</translation>
    </message>
    <message>
        <source>failed: %1</source>
        <translation>失败：%1</translation>
    </message>
</context>
<context>
    <name>ConvertCommand</name>
    <message>
        <source>Image format: png (lossless, default) or jpg.</source>
        <translation>图像格式：png（无损，默认）或 jpg。</translation>
    </message>
    <message>
        <source>Fraction of the patients kept for validation.</source>
        <translation>用于验证的患者比例。</translation>
    </message>
    <message>
        <source>Seed of the patient split.</source>
        <translation>患者划分的随机种子。</translation>
    </message>
    <message>
        <source>Folder of the VOC dataset.</source>
        <translation>VOC 数据集文件夹。</translation>
    </message>
    <message>
        <source>give a source folder and an output folder.</source>
        <translation>请给出源文件夹和输出文件夹。</translation>
    </message>
    <message>
        <source>--format must be png or jpg.</source>
        <translation>--format 必须是 png 或 jpg。</translation>
    </message>
    <message>
        <source>%1: no such folder.</source>
        <translation>%1：文件夹不存在。</translation>
    </message>
    <message>
        <source>note: no labels for series %1; skipped.</source>
        <translation>注意：序列 %1 没有标签；已跳过。</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n slice(s) of %1 series to %2.
</source>
        <translation>
            <numerusform>已将 %1 个序列的 %n 个切片写入 %2。
</numerusform>
        </translation>
    </message>
    <message>
        <source>cannot write the dataset: %1</source>
        <translation>无法写入数据集：%1</translation>
    </message>
    <message>
        <source>series %1 is a colour series; only grey images are exported.</source>
        <translation>序列 %1 是彩色序列；只导出灰度图像。</translation>
    </message>
    <message>
        <source>%1: the labels do not lie on the grid of series %2.</source>
        <translation>%1：标签与序列 %2 的网格不一致。</translation>
    </message>
    <message>
        <source>DICOM folder with label files, or a project (NAME.medseg).</source>
        <translation>带标签文件的 DICOM 文件夹，或项目（NAME.medseg）。</translation>
    </message>
    <message>
        <source>Convert between projects and datasets: an nnU-Net v2 or Decathlon dataset into a project, a project into an nnU-Net v2 dataset, and labeled DICOM series or a project into a PASCAL VOC dataset split by patient.</source>
        <translation>在项目与数据集之间转换：将 nnU-Net v2 或 Decathlon 数据集转为项目，将项目转为 nnU-Net v2 数据集，以及将已标注的 DICOM 序列或项目转为按患者划分的 PASCAL VOC 数据集。</translation>
    </message>
    <message>
        <source>%1 is an nnU-Net or Decathlon dataset: convert it to a project first (medseg convert %1 NAME.medseg).</source>
        <translation>%1 是 nnU-Net 或 Decathlon 数据集：请先将其转换为项目（medseg convert %1 NAME.medseg）。</translation>
    </message>
    <message>
        <source>%1 has no dataset.json: a project is made from an nnU-Net v2 or Medical Segmentation Decathlon dataset.</source>
        <translation>%1 没有 dataset.json：项目只能由 nnU-Net v2 或 Medical Segmentation Decathlon 数据集生成。</translation>
    </message>
    <message numerus="yes">
        <source>Imported %1 (%2): %n training case(s); test cases: %3; labels: %4.
</source>
        <translation>
            <numerusform>已导入 %1（%2）：%n 个训练病例；测试病例：%3；标签：%4。
</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 is not a project (NAME.medseg with project.json): an nnU-Net dataset is written from a project&apos;s labeled volumes.</source>
        <translation>%1 不是项目（带 project.json 的 NAME.medseg）：nnU-Net 数据集由项目中已标注的体数据写出。</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n case(s) to %1.
</source>
        <translation>
            <numerusform>已将 %n 个病例写入 %1。
</numerusform>
        </translation>
    </message>
    <message>
        <source>What to write: medseg (a project from an nnU-Net or Decathlon dataset), nnunet (an nnU-Net v2 dataset from a project), msd (a Medical Segmentation Decathlon dataset from a project: one 4D image per case) or voc (a VOC dataset from a project or a DICOM folder). Default: from OUT&apos;s name (NAME.medseg, DatasetNNN_Name, TaskNN_Name), else voc.</source>
        <translation>要写出的内容：medseg（由 nnU-Net 或 Decathlon 数据集生成项目）、nnunet（由项目生成 nnU-Net v2 数据集）、msd（由项目生成 Medical Segmentation Decathlon 数据集：每个病例一个 4D 图像）或 voc（由项目或 DICOM 文件夹生成 VOC 数据集）。默认：根据 OUT 的名称（NAME.medseg、DatasetNNN_Name、TaskNN_Name）判断，否则为 voc。</translation>
    </message>
    <message>
        <source>--to must be medseg, nnunet, msd or voc.</source>
        <translation>--to 必须是 medseg、nnunet、msd 或 voc。</translation>
    </message>
</context>
<context>
    <name>EvaluateCommand</name>
    <message>
        <source>Compare predicted label volumes with ground truth: Dice, IoU, 95th percentile Hausdorff distance and volumes per case and label.</source>
        <translation>将预测的标签体数据与金标准比较：按病例和标签给出 Dice、IoU、第 95 百分位 Hausdorff 距离和体积。</translation>
    </message>
    <message>
        <source>Write the results as JSON (nnU-Net&apos;s summary.json layout).</source>
        <translation>以 JSON 写出结果（nnU-Net 的 summary.json 格式）。</translation>
    </message>
    <message>
        <source>FILE</source>
        <translation>FILE</translation>
    </message>
    <message>
        <source>Write one line per case and label as CSV.</source>
        <translation>以 CSV 写出，每个病例和标签一行。</translation>
    </message>
    <message>
        <source>The labels to evaluate, e.g. 1,2,3 (default: every label found).</source>
        <translation>要评估的标签，例如 1,2,3（默认：找到的所有标签）。</translation>
    </message>
    <message>
        <source>LIST</source>
        <translation>LIST</translation>
    </message>
    <message>
        <source>A folder of label files, or one file.</source>
        <translation>标签文件所在的文件夹，或单个文件。</translation>
    </message>
    <message>
        <source>The folder with the ground truth of the same names, or one file.</source>
        <translation>包含同名金标准的文件夹，或单个文件。</translation>
    </message>
    <message>
        <source>&apos;evaluate&apos; needs PREDICTIONS and GROUND_TRUTH.</source>
        <translation>&apos;evaluate&apos; 需要 PREDICTIONS 和 GROUND_TRUTH。</translation>
    </message>
    <message>
        <source>--labels takes labels from 1 to 65535, e.g. 1,2,3, not &apos;%1&apos;.</source>
        <translation>--labels 接受 1 到 65535 之间的标签，例如 1,2,3，而不是 &apos;%1&apos;。</translation>
    </message>
    <message>
        <source>undefined</source>
        <translation>未定义</translation>
    </message>
    <message numerus="yes">
        <source>%n case(s)</source>
        <translation>
            <numerusform>%n 个病例</numerusform>
        </translation>
    </message>
    <message>
        <source>Label %1: Dice %2, IoU %3, HD95 %4, volume difference %5</source>
        <translation>标签 %1：Dice %2，IoU %3，HD95 %4，体积差 %5</translation>
    </message>
    <message numerus="yes">
        <source>(HD95 undefined in %n case(s): label missing from the prediction or the ground truth)</source>
        <translation>
            <numerusform>（%n 个病例的 HD95 未定义：预测或金标准中缺少该标签）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ExportCommand</name>
    <message>
        <source>The .onnx file to write.</source>
        <translation>要写入的 .onnx 文件。</translation>
    </message>
    <message>
        <source>Quantize to int8 for this runtime: cpu (ONNX Runtime) or tensorrt.</source>
        <translation>针对以下运行时量化为 int8：cpu（ONNX Runtime）或 tensorrt。</translation>
    </message>
    <message>
        <source>ONNX opset: 11, 13 or 17 (int8: 13 or 17).</source>
        <translation>ONNX opset：11、13 或 17（int8：13 或 17）。</translation>
    </message>
    <message>
        <source>Number of training slices for int8 calibration.</source>
        <translation>用于 int8 校准的训练切片数。</translation>
    </message>
    <message>
        <source>VOC dataset: calibration slices from its train split, validation slices (with masks) from its val split.</source>
        <translation>VOC 数据集：校准切片取自其 train 划分，验证切片（带掩码）取自其 val 划分。</translation>
    </message>
    <message>
        <source>Percentile calibration (e.g. 99.99) instead of min/max.</source>
        <translation>使用百分位校准（例如 99.99）代替最小/最大值校准。</translation>
    </message>
    <message>
        <source>Add a &quot;probabilities&quot; output.</source>
        <translation>添加 &quot;probabilities&quot; 输出。</translation>
    </message>
    <message>
        <source>Add a &quot;labels&quot; output (class per pixel).</source>
        <translation>添加 &quot;labels&quot; 输出（每个像素的类别）。</translation>
    </message>
    <message>
        <source>A model bundle (.pt) or a training run folder.</source>
        <translation>模型包（.pt）或训练运行文件夹。</translation>
    </message>
    <message>
        <source>give one model and -o FILE.onnx.</source>
        <translation>请给出一个模型和 -o FILE.onnx。</translation>
    </message>
    <message>
        <source>--opset must be 11, 13 or 17.</source>
        <translation>--opset 必须是 11、13 或 17。</translation>
    </message>
    <message>
        <source>--int8 must be cpu or tensorrt.</source>
        <translation>--int8 必须是 cpu 或 tensorrt。</translation>
    </message>
    <message>
        <source>int8 needs --opset 13 or 17.</source>
        <translation>int8 需要 --opset 13 或 17。</translation>
    </message>
    <message>
        <source>int8 needs --data DIR for calibration slices.</source>
        <translation>int8 需要用 --data DIR 提供校准切片。</translation>
    </message>
    <message>
        <source>Export a trained model to ONNX (fp32 or int8) or TorchScript and validate it.</source>
        <translation>将训练好的模型导出为 ONNX（fp32 或 int8）或 TorchScript 并进行验证。</translation>
    </message>
    <message>
        <source>A static graph for input 1 x C x H x W instead of dynamic sizes, for runtimes that cannot compute shapes (OpenCV&apos;s dnn module).</source>
        <translation>为输入 1 x C x H x W 生成静态计算图而非动态尺寸，供无法计算形状的运行时使用（OpenCV 的 dnn 模块）。</translation>
    </message>
    <message>
        <source>onnx (default) or torchscript (fp32, for LibTorch and PyTorch).</source>
        <translation>onnx（默认）或 torchscript（fp32，用于 LibTorch 和 PyTorch）。</translation>
    </message>
    <message>
        <source>--static-size must be HEIGHTxWIDTH, e.g. 512x512.</source>
        <translation>--static-size 必须为 高x宽，例如 512x512。</translation>
    </message>
    <message>
        <source>TorchScript export is fp32 with dynamic sizes: --int8, --static-size, --softmax and --argmax are ONNX options.</source>
        <translation>TorchScript 导出为动态尺寸的 fp32：--int8、--static-size、--softmax 和 --argmax 仅适用于 ONNX。</translation>
    </message>
    <message>
        <source>--format must be onnx or torchscript.</source>
        <translation>--format 必须为 onnx 或 torchscript。</translation>
    </message>
    <message>
        <source>Write the pyramid head as upsampling, concatenation and convolution, as in training, instead of its faster factored form (the same values), for runtimes that reject the factored form&apos;s operators.</source>
        <translation>按训练时的形式（上采样、拼接、卷积）写出金字塔头，而不是更快的分解形式（数值相同），用于不接受分解形式算子的推理运行时。</translation>
    </message>
    <message>
        <source>Wrote %1 and %2.
</source>
        <translation>已写入 %1 和 %2。
</translation>
    </message>
    <message>
        <source>, int8: %1</source>
        <translation>，int8：%1</translation>
    </message>
    <message>
        <source>NOT VERIFIED: the exported model could not be run to compare it with the trained network (%1).
</source>
        <translation>未验证：无法运行导出的模型来与训练所得的网络比较（%1）。
</translation>
    </message>
    <message>
        <source>Validation passed: every check ran and passed.
</source>
        <translation>验证通过：每项检查都已运行并通过。
</translation>
    </message>
    <message>
        <source>An image (DICOM folder, NIfTI, NRRD or MetaImage; a case&apos;s first channel file for models of several) on which to prove that the exported file&apos;s preprocessing gives the network the same input as the model&apos;s own.</source>
        <translation>一幅图像（DICOM 文件夹、NIfTI、NRRD 或 MetaImage；多通道模型取病例的第一个通道文件），用于证明导出文件中的预处理给网络的输入与模型自身的相同。</translation>
    </message>
    <message>
        <source>Validation FAILED (fp32: %1%2; input: %3); see the report.
</source>
        <translation>验证失败（fp32：%1%2；输入：%3）；请查看报告。
</translation>
    </message>
    <message numerus="yes">
        <source>Input check (%1): %2, largest difference %3 over %n slice(s).
</source>
        <translation>
            <numerusform>输入检查（%1）：%2，%n 个切片上的最大差异为 %3。
</numerusform>
        </translation>
    </message>
    <message>
        <source>this model reads %1 adjacent slices (2.5D), which the single images of a VOC dataset (--data) do not have: export it without --data and check it with --check-image, or export int8 from the workstation, which calibrates on the project&apos;s volumes.</source>
        <translation>此模型读取 %1 张相邻切片（2.5D），而 VOC 数据集（--data）的单张图像没有相邻切片：请不带 --data 导出并用 --check-image 检查，或在工作站中导出 int8（它用项目的体数据校准）。</translation>
    </message>
    <message>
        <source>Input check: %1 (give --check-image FILE or --data DIR to run it).
</source>
        <translation>输入检查：%1（给出 --check-image FILE 或 --data DIR 以运行它）。
</translation>
    </message>
    <message>
        <source>Validation passed for the checks that ran; the input check did not run.
</source>
        <translation>已运行的检查均通过；输入检查未运行。
</translation>
    </message>
</context>
<context>
    <name>ImportWeightsCommand</name>
    <message>
        <source>Load torchvision weights (torch.save state dict) into a backbone and report the keys.</source>
        <translation>将 torchvision 权重（torch.save 保存的 state dict）载入骨干网络并报告各键。</translation>
    </message>
    <message>
        <source>Backbone: %1.</source>
        <translation>骨干网络：%1。</translation>
    </message>
    <message>
        <source>Input channels of the model (1 grey, 3, or k adjacent slices); the first layer&apos;s RGB weights are adapted.</source>
        <translation>模型输入通道数（1 为灰度，3，或 k 个相邻切片）；第一层的 RGB 权重会相应调整。</translation>
    </message>
    <message>
        <source>Save the loaded backbone&apos;s weights to this file.</source>
        <translation>将载入后的骨干网络权重保存到此文件。</translation>
    </message>
    <message>
        <source>The .pth file to import.</source>
        <translation>要导入的 .pth 文件。</translation>
    </message>
    <message>
        <source>--arch is required (%1).</source>
        <translation>必须指定 --arch（%1）。</translation>
    </message>
    <message>
        <source>unknown architecture &apos;%1&apos; (%2).</source>
        <translation>未知架构 &apos;%1&apos;（%2）。</translation>
    </message>
    <message>
        <source>give exactly one weight file.</source>
        <translation>请只给出一个权重文件。</translation>
    </message>
    <message>
        <source>%1: no such file.</source>
        <translation>%1：文件不存在。</translation>
    </message>
    <message>
        <source>%1 is not a readable state dict: %2</source>
        <translation>%1 不是可读取的 state dict：%2</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>InfoCommand</name>
    <message>
        <source>Reading %1 of %2 files...</source>
        <translation>正在读取第 %1 / %2 个文件...</translation>
    </message>
    <message>
        <source>Print the index as JSON instead of a tree.</source>
        <translation>以 JSON 而不是树形输出索引。</translation>
    </message>
    <message>
        <source>Keep the index in FILE and read only changed files next time.</source>
        <translation>将索引保存在 FILE 中，下次只读取有变化的文件。</translation>
    </message>
    <message>
        <source>FILE</source>
        <translation>FILE</translation>
    </message>
    <message>
        <source>&apos;info&apos; needs exactly one PATH.</source>
        <translation>&apos;info&apos; 只需要一个 PATH。</translation>
    </message>
    <message>
        <source>cannot read &apos;%1&apos;: no such file or folder</source>
        <translation>无法读取 &apos;%1&apos;：文件或文件夹不存在</translation>
    </message>
    <message>
        <source>cannot read &apos;%1&apos;: %2</source>
        <translation>无法读取 &apos;%1&apos;：%2</translation>
    </message>
    <message>
        <source>no DICOM image</source>
        <translation>没有 DICOM 图像</translation>
    </message>
    <message>
        <source>Patient %1</source>
        <translation>患者 %1</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>（无姓名）</translation>
    </message>
    <message>
        <source>ID %1</source>
        <translation>ID %1</translation>
    </message>
    <message>
        <source>born %1</source>
        <translation>出生于 %1</translation>
    </message>
    <message>
        <source>sex %1</source>
        <translation>性别 %1</translation>
    </message>
    <message>
        <source>Study %1</source>
        <translation>检查 %1</translation>
    </message>
    <message>
        <source>(no date)</source>
        <translation>（无日期）</translation>
    </message>
    <message>
        <source>accession %1</source>
        <translation>检查号 %1</translation>
    </message>
    <message>
        <source>Series %1: %2</source>
        <translation>序列 %1：%2</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n 幅图像</numerusform>
        </translation>
    </message>
    <message>
        <source>Patients: %1, studies: %2, series: %3, images: %4, files read: %5</source>
        <translation>患者：%1，检查：%2，序列：%3，图像：%4，已读取文件：%5</translation>
    </message>
    <message>
        <source>Read with warnings:</source>
        <translation>读取时有警告：</translation>
    </message>
    <message numerus="yes">
        <source>Problems (%n file(s) skipped):</source>
        <translation>
            <numerusform>问题（跳过了 %n 个文件）：</numerusform>
        </translation>
    </message>
    <message>
        <source>List the patients, studies and series in a DICOM folder, DICOMDIR or file, and the NIfTI, NRRD and MetaImage volumes in a folder or file.</source>
        <translation>列出 DICOM 文件夹、DICOMDIR 或文件中的患者、检查和序列，以及文件夹或文件中的 NIfTI、NRRD 和 MetaImage 体数据。</translation>
    </message>
    <message>
        <source>A folder (read recursively), a DICOMDIR, a DICOM file or an image file (.nii, .nii.gz, .nrrd, .nhdr, .mha, .mhd).</source>
        <translation>文件夹（递归读取）、DICOMDIR、DICOM 文件或图像文件（.nii、.nii.gz、.nrrd、.nhdr、.mha、.mhd）。</translation>
    </message>
    <message>
        <source>big-endian</source>
        <translation>大端字节序</translation>
    </message>
    <message>
        <source>volume %1 of %2</source>
        <translation>第 %1 个体数据，共 %2 个</translation>
    </message>
    <message>
        <source>%1 x %2 x %3 mm</source>
        <translation>%1 x %2 x %3 毫米</translation>
    </message>
    <message>
        <source>origin (%1, %2, %3) mm</source>
        <translation>原点 (%1, %2, %3) 毫米</translation>
    </message>
    <message>
        <source>geometry from: %1</source>
        <translation>几何信息来自：%1</translation>
    </message>
    <message>
        <source>values x %1 + %2</source>
        <translation>数值 x %1 + %2</translation>
    </message>
    <message>
        <source>%1: a %2 %3 label map of %4 x %5 x %6 voxels (%7 x %8 x %9 mm), not an image: it opens with its image (File &gt; Import Label Volume) and `medseg mesh` measures it.
</source>
        <translation>%1：%2 %3 标签图，%4 x %5 x %6 体素（%7 x %8 x %9 mm），不是图像：请与其图像一起打开（文件 &gt; 导入标签体数据），`medseg mesh` 可测量它。
</translation>
    </message>
</context>
<context>
    <name>MakeDemoCommand</name>
    <message>
        <source>Write a synthetic CT study with ground-truth labels (NIfTI) to try the program without patient data.</source>
        <translation>写出带有真值标签（NIfTI）的合成 CT 检查，无需患者数据即可试用本程序。</translation>
    </message>
    <message>
        <source>Number of patients (1 to 99).</source>
        <translation>患者数量（1 到 99）。</translation>
    </message>
    <message>
        <source>Slices per series (1 to 1000).</source>
        <translation>每个序列的切片数（1 到 1000）。</translation>
    </message>
    <message>
        <source>Rows and columns of each slice (16 to 1024).</source>
        <translation>每个切片的行数和列数（16 到 1024）。</translation>
    </message>
    <message>
        <source>Seed of the generator: a seed always gives the same images.</source>
        <translation>生成器的种子：相同种子总是生成相同图像。</translation>
    </message>
    <message>
        <source>Folder to write the study to.</source>
        <translation>写入检查的文件夹。</translation>
    </message>
    <message>
        <source>give exactly one output folder.</source>
        <translation>请只给出一个输出文件夹。</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n demo patient(s) to %1.
</source>
        <translation>
            <numerusform>已将 %n 位演示患者写入 %1。
</numerusform>
        </translation>
    </message>
    <message>
        <source>cannot write the demo study: %1</source>
        <translation>无法写入演示检查：%1</translation>
    </message>
</context>
<context>
    <name>MeshCommand</name>
    <message>
        <source>Write the surfaces of a NIfTI label volume as STL, OBJ or PLY and print per-label volumes and areas.</source>
        <translation>将 NIfTI 标签体数据的表面写为 STL、OBJ 或 PLY，并打印每个标签的体积和表面积。</translation>
    </message>
    <message>
        <source>The mesh file to write: .stl, .obj or .ply (one file per label with _N added unless --label or --merge is given).</source>
        <translation>要写入的网格文件：.stl、.obj 或 .ply（除非指定 --label 或 --merge，否则每个标签写一个文件，文件名加上 _N）。</translation>
    </message>
    <message>
        <source>OUT</source>
        <translation>OUT</translation>
    </message>
    <message>
        <source>Only this label, written to OUT itself.</source>
        <translation>只处理此标签，直接写入 OUT。</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>Write all labels into one file, OUT.</source>
        <translation>将所有标签写入同一个文件 OUT。</translation>
    </message>
    <message>
        <source>Windowed-sinc smoothing iterations, 0 for the raw voxel surface (default 20).</source>
        <translation>加窗 sinc 平滑的迭代次数，0 表示原始体素表面（默认 20）。</translation>
    </message>
    <message>
        <source>K</source>
        <translation>K</translation>
    </message>
    <message>
        <source>Fraction of triangles to remove, 0 to 0.99 (default 0).</source>
        <translation>要删除的三角形比例，0 到 0.99（默认 0）。</translation>
    </message>
    <message>
        <source>F</source>
        <translation>F</translation>
    </message>
    <message>
        <source>A NIfTI image on the same grid: adds the mean and standard deviation inside each label.</source>
        <translation>同一网格上的 NIfTI 图像：增加每个标签内的均值和标准差。</translation>
    </message>
    <message>
        <source>IMAGE</source>
        <translation>IMAGE</translation>
    </message>
    <message>
        <source>A labels.json with label names and colours.</source>
        <translation>包含标签名称和颜色的 labels.json。</translation>
    </message>
    <message>
        <source>JSON</source>
        <translation>JSON</translation>
    </message>
    <message>
        <source>Also write the statistics as CSV.</source>
        <translation>同时将统计结果写为 CSV。</translation>
    </message>
    <message>
        <source>CSV</source>
        <translation>CSV</translation>
    </message>
    <message>
        <source>A label volume (.nii or .nii.gz).</source>
        <translation>标签体数据（.nii 或 .nii.gz）。</translation>
    </message>
    <message>
        <source>&apos;mesh&apos; needs exactly one LABELS file.</source>
        <translation>&apos;mesh&apos; 只需要一个 LABELS 文件。</translation>
    </message>
    <message>
        <source>&apos;mesh&apos; needs an output mesh: -o OUT.stl</source>
        <translation>&apos;mesh&apos; 需要输出网格：-o OUT.stl</translation>
    </message>
    <message>
        <source>%1: unknown mesh format (use .stl, .obj or .ply).</source>
        <translation>%1：未知的网格格式（请使用 .stl、.obj 或 .ply）。</translation>
    </message>
    <message>
        <source>--label and --merge exclude each other.</source>
        <translation>--label 与 --merge 不能同时使用。</translation>
    </message>
    <message>
        <source>%1: the image is %2x%3x%4 voxels, the labels %5x%6x%7.</source>
        <translation>%1：图像为 %2x%3x%4 体素，标签为 %5x%6x%7 体素。</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1: label %2 is not in the volume.</source>
        <translation>%1：体数据中没有标签 %2。</translation>
    </message>
    <message>
        <source>%1: the volume has no labels.</source>
        <translation>%1：体数据中没有任何标签。</translation>
    </message>
    <message>
        <source>label  name             voxels      volume (mL)  surface (mm²)  mean        std</source>
        <translation>标签   名称             体素数      体积 (mL)    表面积 (mm²)   均值        标准差</translation>
    </message>
    <message>
        <source>wrote %1</source>
        <translation>已写入 %1</translation>
    </message>
</context>
<context>
    <name>ModelsCommand</name>
    <message>
        <source>List the backbones with their parameters, the operations of one prediction and whether pretrained weights are configured.</source>
        <translation>列出各骨干网络的参数量、一次预测的运算量，以及是否已配置预训练权重。</translation>
    </message>
    <message>
        <source>Print JSON instead of a table.</source>
        <translation>输出 JSON 而不是表格。</translation>
    </message>
    <message>
        <source>Square input size (default 512).</source>
        <translation>方形输入尺寸（默认 512）。</translation>
    </message>
    <message>
        <source>Output stride: 8 (default), 16 or 32.</source>
        <translation>输出步幅：8（默认）、16 或 32。</translation>
    </message>
    <message>
        <source>--output-stride must be 8, 16 or 32.</source>
        <translation>--output-stride 必须是 8、16 或 32。</translation>
    </message>
    <message>
        <source>%1  %2  %3  %4  %5
</source>
        <translation>%1  %2  %3  %4  %5
</translation>
    </message>
    <message>
        <source>backbone</source>
        <translation>骨干网络</translation>
    </message>
    <message>
        <source>backbone M</source>
        <translation>骨干 M</translation>
    </message>
    <message>
        <source>PSPNet M</source>
        <translation>PSPNet M</translation>
    </message>
    <message>
        <source>GFLOPs@%1</source>
        <translation>GFLOPs@%1</translation>
    </message>
    <message>
        <source>pretrained</source>
        <translation>预训练</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>GFLOPs: multiply-accumulates of one prediction at %1 x %1, output stride %2, as torchvision&apos;s tables count them (one multiply-add is one operation). Parameters in millions, for 2 classes.
</source>
        <translation>GFLOPs：在 %1 x %1、输出步幅 %2 下一次预测的乘加次数，与 torchvision 表格的计法相同（一次乘加计为一次运算）。参数量以百万计，按 2 个类别。
</translation>
    </message>
</context>
<context>
    <name>NumberOptions</name>
    <message>
        <source>above %1</source>
        <translation>大于 %1</translation>
    </message>
    <message>
        <source>from %1</source>
        <translation>从 %1</translation>
    </message>
    <message>
        <source> and below %1</source>
        <translation> 且小于 %1</translation>
    </message>
    <message>
        <source> and at most %1</source>
        <translation> 且不超过 %1</translation>
    </message>
    <message>
        <source> to below %1</source>
        <translation> 到小于 %1</translation>
    </message>
    <message>
        <source> to %1</source>
        <translation> 到 %1</translation>
    </message>
    <message>
        <source>of at least %1</source>
        <translation>至少 %1</translation>
    </message>
    <message>
        <source>below %1</source>
        <translation>小于 %1</translation>
    </message>
    <message>
        <source>of at most %1</source>
        <translation>至多 %1</translation>
    </message>
    <message>
        <source>--%1 must be %2, not &apos;%3&apos;.</source>
        <translation>--%1 必须是%2，而不是“%3”。</translation>
    </message>
    <message>
        <source>a whole number %1</source>
        <translation>整数，%1</translation>
    </message>
    <message>
        <source>a number %1</source>
        <translation>数值，%1</translation>
    </message>
</context>
<context>
    <name>PredictCommand</name>
    <message>
        <source>Segment a DICOM series (to a NIfTI label volume) or PNG/JPEG images (to palette PNG masks) with a trained model.</source>
        <translation>用训练好的模型分割 DICOM 序列（输出 NIfTI 标签体数据）或 PNG/JPEG 图像（输出调色板 PNG 掩码）。</translation>
    </message>
    <message>
        <source>Output: a .nii.gz label volume for DICOM input, a folder of masks for images.</source>
        <translation>输出：DICOM 输入时为 .nii.gz 标签体数据，图像输入时为掩码文件夹。</translation>
    </message>
    <message>
        <source>SeriesInstanceUID of the series to segment (default: the one with most slices).</source>
        <translation>要分割的序列的 SeriesInstanceUID（默认：切片最多的序列）。</translation>
    </message>
    <message>
        <source>Slices per forward pass.</source>
        <translation>每次前向传播处理的切片数。</translation>
    </message>
    <message>
        <source>Where the model runs: auto, cpu or cuda.</source>
        <translation>模型运行的设备：auto、cpu 或 cuda。</translation>
    </message>
    <message>
        <source>Model bundle (.pt with its .json beside it).</source>
        <translation>模型包（.pt 及其同目录下的 .json）。</translation>
    </message>
    <message>
        <source>give a model, an input and -o OUT.</source>
        <translation>请给出模型、输入和 -o OUT。</translation>
    </message>
    <message>
        <source>--device must be auto, cpu or cuda.</source>
        <translation>--device 必须是 auto、cpu 或 cuda。</translation>
    </message>
    <message>
        <source>--device cuda: no CUDA device is available.</source>
        <translation>--device cuda：没有可用的 CUDA 设备。</translation>
    </message>
    <message>
        <source>%1: no such file or folder.</source>
        <translation>%1：文件或文件夹不存在。</translation>
    </message>
    <message>
        <source>cannot load the model: %1</source>
        <translation>无法加载模型：%1</translation>
    </message>
    <message>
        <source>%1: no series %2.</source>
        <translation>%1：没有序列 %2。</translation>
    </message>
    <message>
        <source>%1: no DICOM series found.</source>
        <translation>%1：未找到 DICOM 序列。</translation>
    </message>
    <message>
        <source>series %1 is a colour series; only grey images are segmented.</source>
        <translation>序列 %1 是彩色序列；只分割灰度图像。</translation>
    </message>
    <message>
        <source>prediction failed: %1</source>
        <translation>预测失败：%1</translation>
    </message>
    <message numerus="yes">
        <source>Segmented %n slice(s) of series %1 into %2.
</source>
        <translation>
            <numerusform>已分割序列 %1 的 %n 个切片，结果写入 %2。
</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: cannot create the folder.</source>
        <translation>%1：无法创建文件夹。</translation>
    </message>
    <message>
        <source>%1: prediction failed: %2</source>
        <translation>%1：预测失败：%2</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n mask(s) to %1.
</source>
        <translation>
            <numerusform>已将 %n 个掩码写入 %1。
</numerusform>
        </translation>
    </message>
    <message>
        <source>DICOM folder or file, NIfTI/NRRD/MetaImage file or folder of them, or a PNG/JPEG image or folder of images.</source>
        <translation>DICOM 文件夹或文件、NIfTI/NRRD/MetaImage 文件或其文件夹，或 PNG/JPEG 图像或图像文件夹。</translation>
    </message>
    <message>
        <source>-o must name a .nii.gz or .nii file for DICOM or image volume input.</source>
        <translation>输入为 DICOM 或图像体数据时，-o 必须指定 .nii.gz 或 .nii 文件。</translation>
    </message>
    <message>
        <source>%1: no NIfTI, NRRD or MetaImage volumes found.</source>
        <translation>%1：未找到 NIfTI、NRRD 或 MetaImage 体数据。</translation>
    </message>
    <message numerus="yes">
        <source>Segmented %n case(s) into %1.
</source>
        <translation>
            <numerusform>已将 %n 个病例分割到 %1。
</numerusform>
        </translation>
    </message>
    <message>
        <source>What the intensities of image files (NIfTI, NRRD, MetaImage) are: CT or MR (default: CT when the values look like Hounsfield units).</source>
        <translation>图像文件（NIfTI、NRRD、MetaImage）的强度类型：CT 或 MR（默认：数值看起来像 Hounsfield 单位时为 CT）。</translation>
    </message>
    <message>
        <source>--modality must be CT or MR.</source>
        <translation>--modality 必须是 CT 或 MR。</translation>
    </message>
    <message>
        <source>%1: the model reads %2 image channels (%3); this case has %4.</source>
        <translation>%1：模型读取 %2 个图像通道（%3）；此病例只有 %4 个。</translation>
    </message>
    <message>
        <source>-o must name the folder for the label files.</source>
        <translation>-o 必须指定存放标签文件的文件夹。</translation>
    </message>
    <message>
        <source>skipped %1</source>
        <translation>已跳过 %1</translation>
    </message>
</context>
<context>
    <name>RenderCommand</name>
    <message>
        <source>Write one frame of a DICOM file as an 8-bit image with a window.</source>
        <translation>按窗宽窗位将 DICOM 文件的一帧写为 8 位图像。</translation>
    </message>
    <message>
        <source>Frame to render, counting from 0 (default 0).</source>
        <translation>要渲染的帧，从 0 开始计数（默认 0）。</translation>
    </message>
    <message>
        <source>N</source>
        <translation>N</translation>
    </message>
    <message>
        <source>The image to write (PNG unless the name says otherwise).</source>
        <translation>要写入的图像（除非文件名另有指定，否则为 PNG）。</translation>
    </message>
    <message>
        <source>OUT</source>
        <translation>OUT</translation>
    </message>
    <message>
        <source>A DICOM file.</source>
        <translation>一个 DICOM 文件。</translation>
    </message>
    <message>
        <source>&apos;render&apos; needs exactly one FILE.</source>
        <translation>&apos;render&apos; 只需要一个 FILE。</translation>
    </message>
    <message>
        <source>&apos;render&apos; needs an output image: -o OUT.png</source>
        <translation>&apos;render&apos; 需要输出图像：-o OUT.png</translation>
    </message>
    <message>
        <source>&apos;%1&apos; has no frame %2 (it has %3).</source>
        <translation>&apos;%1&apos; 没有第 %2 帧（共 %3 帧）。</translation>
    </message>
    <message>
        <source>cannot read &apos;%1&apos;: %2</source>
        <translation>无法读取 &apos;%1&apos;：%2</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is a colour image; the window is not used.</source>
        <translation>&apos;%1&apos; 是彩色图像；不使用窗宽窗位。</translation>
    </message>
    <message>
        <source>RGB</source>
        <translation>RGB</translation>
    </message>
    <message>
        <source>window %1/%2</source>
        <translation>窗 %1/%2</translation>
    </message>
    <message>
        <source>inverted (MONOCHROME1)</source>
        <translation>已反转（MONOCHROME1）</translation>
    </message>
    <message>
        <source>cannot write &apos;%1&apos;: %2</source>
        <translation>无法写入 &apos;%1&apos;：%2</translation>
    </message>
    <message>
        <source>%1: frame %2, %3x%4, %5
</source>
        <translation>%1：第 %2 帧，%3x%4，%5
</translation>
    </message>
</context>
<context>
    <name>StatsCommand</name>
    <message>
        <source>Print per-class pixel counts and class weights of a VOC segmentation dataset.</source>
        <translation>打印 VOC 分割数据集每个类别的像素数和类别权重。</translation>
    </message>
    <message>
        <source>Print JSON.</source>
        <translation>输出 JSON。</translation>
    </message>
    <message>
        <source>Clipped weights stay within this factor of the median weight.</source>
        <translation>截断后的权重保持在中位权重的该倍数范围内。</translation>
    </message>
    <message>
        <source>The VOC dataset folder.</source>
        <translation>VOC 数据集文件夹。</translation>
    </message>
    <message>
        <source>give exactly one dataset folder.</source>
        <translation>请只给出一个数据集文件夹。</translation>
    </message>
    <message numerus="yes">
        <source>%n image(s), %1 labeled pixels, %2 ignored</source>
        <translation>
            <numerusform>%n 幅图像，%1 个已标注像素，%2 个忽略</numerusform>
        </translation>
    </message>
    <message>
        <source>index  class            pixels    frequency  weight    clipped (x%1)</source>
        <translation>索引   类别             像素数    频率       权重      截断 (x%1)</translation>
    </message>
</context>
<context>
    <name>Studio</name>
    <message>
        <source>medseg-studio: cannot write %1</source>
        <translation>medseg-studio：无法写入 %1</translation>
    </message>
    <message>
        <source>Label medical images and train segmentation models.</source>
        <translation>标注医学图像并训练分割模型。</translation>
    </message>
    <message>
        <source>User interface language (en, zh_CN).</source>
        <translation>界面语言（en、zh_CN）。</translation>
    </message>
    <message>
        <source>Save a picture of the window and quit.</source>
        <translation>保存窗口截图后退出。</translation>
    </message>
    <message>
        <source>DICOM folders or DICOMDIR files to open.</source>
        <translation>要打开的 DICOM 文件夹或 DICOMDIR 文件。</translation>
    </message>
    <message>
        <source>medseg-studio: unknown language &apos;%1&apos;; use en or zh_CN.</source>
        <translation>medseg-studio：未知语言 &apos;%1&apos;；请使用 en 或 zh_CN。</translation>
    </message>
</context>
<context>
    <name>TrainCommand</name>
    <message>
        <source>Train a segmentation model on a VOC dataset with the staged plan.</source>
        <translation>按分阶段计划在 VOC 数据集上训练分割模型。</translation>
    </message>
    <message>
        <source>Training config (JSON, as a run&apos;s config.json); other options override it.</source>
        <translation>训练配置（JSON，格式同训练运行的 config.json）；其他选项会覆盖其中的设置。</translation>
    </message>
    <message>
        <source>Backbone: %1.</source>
        <translation>骨干网络：%1。</translation>
    </message>
    <message>
        <source>Epochs of every stage.</source>
        <translation>每个阶段的轮次（epoch）数。</translation>
    </message>
    <message>
        <source>Square input size of every stage.</source>
        <translation>每个阶段的正方形输入尺寸。</translation>
    </message>
    <message>
        <source>Batch size of every stage.</source>
        <translation>每个阶段的批大小。</translation>
    </message>
    <message>
        <source>Output stride of the backbone: 8, 16 or 32.</source>
        <translation>骨干网络的输出步幅：8、16 或 32。</translation>
    </message>
    <message>
        <source>Run folder (config, metrics, checkpoints, models); default runs/BACKBONE-TIME, or the config&apos;s folder when the config is a run&apos;s config.json.</source>
        <translation>训练运行文件夹（配置、指标、检查点、模型）；默认为 runs/BACKBONE-TIME；若配置文件是某次训练运行的 config.json，则为该配置文件所在的文件夹。</translation>
    </message>
    <message>
        <source>Random seed.</source>
        <translation>随机种子。</translation>
    </message>
    <message>
        <source>CPU threads (default: all cores).</source>
        <translation>CPU 线程数（默认：全部核心）。</translation>
    </message>
    <message>
        <source>cpu or cuda (default: cuda when available).</source>
        <translation>cpu 或 cuda（默认：可用时使用 cuda）。</translation>
    </message>
    <message>
        <source>%1: cannot open the config.</source>
        <translation>%1：无法打开配置文件。</translation>
    </message>
    <message>
        <source>give at most one dataset folder.</source>
        <translation>最多只能给出一个数据集文件夹。</translation>
    </message>
    <message>
        <source>give a dataset folder, or a config that names one.</source>
        <translation>请给出数据集文件夹，或指定了数据集文件夹的配置文件。</translation>
    </message>
    <message>
        <source>--output-stride must be 8, 16 or 32.</source>
        <translation>--output-stride 必须是 8、16 或 32。</translation>
    </message>
    <message>
        <source>unknown backbone &apos;%1&apos; (%2).</source>
        <translation>未知骨干网络 &apos;%1&apos;（%2）。</translation>
    </message>
    <message>
        <source>--device must be cpu or cuda.</source>
        <translation>--device 必须是 cpu 或 cuda。</translation>
    </message>
    <message>
        <source>Resuming the run in %1 from its checkpoint.
</source>
        <translation>正在从检查点恢复 %1 中的训练运行。
</translation>
    </message>
    <message>
        <source>Training %1 on %2 into %3.
</source>
        <translation>正在 %2 上训练 %1，输出到 %3。
</translation>
    </message>
    <message>
        <source>stage %1/%2 epoch %3/%4 [%5] %6/%7 loss %8 lr %9 %10 img/s ETA %11</source>
        <translation>阶段 %1/%2 轮次 %3/%4 [%5] %6/%7 损失 %8 学习率 %9 %10 张/秒 剩余 %11</translation>
    </message>
    <message>
        <source>Finished: best mean foreground Dice %1, model %2
</source>
        <translation>完成：最佳平均前景 Dice %1，模型 %2
</translation>
    </message>
    <message>
        <source>Stopped; run the same command again to resume from %1
</source>
        <translation>已停止；再次运行相同命令即可从 %1 恢复
</translation>
    </message>
    <message>
        <source>Stretch slices to the square input size (default: keep their aspect ratio, resizing the longer side and padding the shorter one).</source>
        <translation>将切片拉伸为方形输入尺寸（默认：保持宽高比，缩放较长边并填充较短边）。</translation>
    </message>
    <message>
        <source>torchvision ImageNet weights (a state dict) for the backbone: the plan becomes the three-stage fine-tuning one. Without it the model trains from scratch with a plan made for random weights.</source>
        <translation>骨干网络的 torchvision ImageNet 权重（state dict）：训练计划随之变为三阶段微调。不提供时，模型使用为随机权重设计的计划从头训练。</translation>
    </message>
    <message>
        <source>%1: no such file.</source>
        <translation>%1：文件不存在。</translation>
    </message>
    <message numerus="yes">
        <source>Plan: %1; %n stage(s).
</source>
        <translation>
            <numerusform>计划：%1；共 %n 个阶段。
</numerusform>
        </translation>
    </message>
    <message>
        <source>Chosen for these data: %1%2.
</source>
        <translation>根据这些数据选择：%1%2。
</translation>
    </message>
    <message>
        <source> (options given on the command line take precedence)</source>
        <translation>（命令行给出的选项优先）</translation>
    </message>
    <message>
        <source>Validation Dice of the best model (stage %1, epoch %2):
</source>
        <translation>最佳模型的验证 Dice（第 %1 阶段，第 %2 轮）：
</translation>
    </message>
    <message>
        <source>absent from the validation slices</source>
        <translation>验证切片中没有此类别</translation>
    </message>
    <message>
        <source>Share of the patients (cases) that validate, for a project or an nnU-Net or Decathlon dataset (default 0.2).</source>
        <translation>用于验证的患者（病例）比例，适用于项目或 nnU-Net、Decathlon 数据集（默认 0.2）。</translation>
    </message>
    <message>
        <source>A project (NAME.medseg: every labeled volume), an nnU-Net v2 or Decathlon dataset, or a VOC dataset folder (optional with --config).</source>
        <translation>项目（NAME.medseg：所有已标注的体数据）、nnU-Net v2 或 Decathlon 数据集，或 VOC 数据集文件夹（使用 --config 时可省略）。</translation>
    </message>
    <message>
        <source>How the intensities of image volumes are normalised: auto (nnU-Net&apos;s rule: CT percentiles for CT channels, z-score for the others), window (CT through the config&apos;s intensity_window, default 40/400), ct_percentiles, zscore or percentiles. VOC datasets stay 8-bit.</source>
        <translation>图像体数据的强度归一化方式：auto（nnU-Net 的规则：CT 通道用 CT 百分位，其他通道用 z-score）、window（CT 使用配置中的 intensity_window，默认 40/400）、ct_percentiles、zscore 或 percentiles。VOC 数据集保持 8 位。</translation>
    </message>
    <message>
        <source>--intensity must be auto, window, ct_percentiles, zscore or percentiles.</source>
        <translation>--intensity 必须是 auto、window、ct_percentiles、zscore 或 percentiles。</translation>
    </message>
    <message>
        <source>Kept for prediction (they raised the validation Dice on %1 slices, mean foreground %2 -&gt; %3): flip TTA %4; largest region only for: %5.
</source>
        <translation>预测时保留（它们在 %1 个验证切片上提高了 Dice，前景平均 %2 -&gt; %3）：翻转 TTA %4；仅保留最大区域的类别：%5。
</translation>
    </message>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Train for about this many minutes, reading the data included: the epochs are planned from training steps measured on this machine, and the run ends on time (instead of --epochs).</source>
        <translation>训练约这么多分钟（含读取数据）：按本机实测的训练步时间规划轮数，训练按时结束（代替 --epochs）。</translation>
    </message>
    <message>
        <source>give --epochs or --minutes, not both.</source>
        <translation>请给出 --epochs 或 --minutes，不要同时给出。</translation>
    </message>
    <message>
        <source>Measuring training steps on this machine...
</source>
        <translation>正在本机上测量训练步……
</translation>
    </message>
    <message>
        <source>Chosen for this machine: %1.
</source>
        <translation>按本机选择：%1。
</translation>
    </message>
    <message>
        <source>Time budget: %1.
</source>
        <translation>时间预算：%1。
</translation>
    </message>
    <message>
        <source>2.5D input: each slice goes in with its nearest slices, K in all (1, 3 or 5), as further channels. For image volumes (a project, an nnU-Net or Decathlon dataset), not VOC images.</source>
        <translation>2.5D 输入：每张切片连同其最近的切片（共 K 张：1、3 或 5）作为额外通道输入。适用于图像体数据（项目、nnU-Net 或 Decathlon 数据集），不适用于 VOC 图像。</translation>
    </message>
    <message>
        <source>--adjacent-slices must be 1, 3 or 5.</source>
        <translation>--adjacent-slices 必须是 1、3 或 5。</translation>
    </message>
    <message>
        <source>Resuming: the run keeps the time budget and the plan it started with.
</source>
        <translation>恢复：该运行保留开始时的时间预算和计划。
</translation>
    </message>
</context>
<context>
    <name>TrainingEventText</name>
    <message>
        <source>feature-extractor fine-tuning</source>
        <translation>特征提取器微调</translation>
    </message>
    <message>
        <source>pyramid pooling training</source>
        <translation>金字塔池化训练</translation>
    </message>
    <message>
        <source>whole-model fine-tuning</source>
        <translation>整体模型微调</translation>
    </message>
    <message>
        <source>the GPU (CUDA)</source>
        <translation>GPU（CUDA）</translation>
    </message>
    <message>
        <source>the CPU</source>
        <translation>CPU</translation>
    </message>
    <message numerus="yes">
        <source>Training on %1 with %n thread(s).</source>
        <translation>
            <numerusform>在 %1 上训练，使用 %n 个线程。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Training on %1 with %n thread(s), mixed precision %2.</source>
        <translation>
            <numerusform>在 %1 上训练，使用 %n 个线程，混合精度 %2。</numerusform>
        </translation>
    </message>
    <message>
        <source>Resuming at step %1 from %2.</source>
        <translation>从 %2 在第 %1 步继续训练。</translation>
    </message>
    <message>
        <source>Stage %1 of %2, “%3”: %4 slices, %5 epochs of %6 steps, learning rate %7.</source>
        <translation>第 %1 阶段（共 %2 个），“%3”：%4 张切片，%5 轮，每轮 %6 步，学习率 %7。</translation>
    </message>
    <message>
        <source>Stage %1, epoch %2 of %3: training loss %4, validation loss %5, mean Dice %6.</source>
        <translation>第 %1 阶段，第 %2 轮（共 %3 轮）：训练损失 %4，验证损失 %5，平均 Dice %6。</translation>
    </message>
    <message>
        <source>Best so far.</source>
        <translation>目前最佳。</translation>
    </message>
    <message numerus="yes">
        <source>Stage “%1” stopped early: the Dice has not improved for %n epoch(s).</source>
        <translation>
            <numerusform>阶段“%1”提前停止：Dice 已连续 %n 轮没有提高。</numerusform>
        </translation>
    </message>
    <message>
        <source>Stopped at step %1; the checkpoint %2 resumes the run.</source>
        <translation>已在第 %1 步停止；可从检查点 %2 继续此次训练。</translation>
    </message>
    <message>
        <source>the loss became NaN (not a number)</source>
        <translation>损失变为 NaN（非数值）</translation>
    </message>
    <message>
        <source>the loss became infinite</source>
        <translation>损失变为无穷大</translation>
    </message>
    <message>
        <source>No checkpoint had been written yet.</source>
        <translation>尚未写入任何检查点。</translation>
    </message>
    <message>
        <source>The last good checkpoint is kept: %1.</source>
        <translation>已保留最后一个正常的检查点：%1。</translation>
    </message>
    <message>
        <source>Stage “%1” stopped at step %2 (epoch %3): %4. %5 Lower the learning rate or check the data.</source>
        <translation>阶段“%1”在第 %2 步（第 %3 轮）停止：%4。%5 请降低学习率或检查数据。</translation>
    </message>
    <message numerus="yes">
        <source>Finished after %n step(s); best mean Dice %1.</source>
        <translation>
            <numerusform>训练完成，共 %n 步；最佳平均 Dice %1。</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message numerus="yes">
        <source>Fitted to the time budget (%1): %n epoch(s) of %2 each.</source>
        <translation>
            <numerusform>已按时间预算（%1）调整：%n 轮，每轮 %2。</numerusform>
        </translation>
    </message>
    <message>
        <source>The time budget (%1) leaves no room for another epoch after %2: training ends after stage %3, epoch %4.</source>
        <translation>时间预算（%1）在 %2 之后已不够再训练一轮：训练在第 %3 阶段第 %4 轮后结束。</translation>
    </message>
</context>
<context>
    <name>VersionsCommand</name>
    <message>
        <source>Print the versions of MedSeg Studio and the libraries it loaded.</source>
        <translation>打印 MedSeg Studio 及其已加载库的版本。</translation>
    </message>
    <message>
        <source>Print one JSON object instead of a table.</source>
        <translation>输出一个 JSON 对象而不是表格。</translation>
    </message>
    <message>
        <source>&apos;versions&apos; takes no arguments.</source>
        <translation>&apos;versions&apos; 不接受参数。</translation>
    </message>
</context>
<context>
    <name>WindowOptions</name>
    <message>
        <source>Window center and width in rescaled units (HU for CT), e.g. 40,400.</source>
        <translation>以重标定单位（CT 为 HU）表示的窗位和窗宽，例如 40,400。</translation>
    </message>
    <message>
        <source>C,W</source>
        <translation>C,W</translation>
    </message>
    <message>
        <source>A CT window preset: %1.</source>
        <translation>CT 窗预设：%1。</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>NAME</translation>
    </message>
    <message>
        <source>use either --window or --preset, not both.</source>
        <translation>请使用 --window 或 --preset 之一，不要同时使用。</translation>
    </message>
    <message>
        <source>--window needs CENTER,WIDTH with a width of at least 1, not &apos;%1&apos;.</source>
        <translation>--window 需要 CENTER,WIDTH 且宽度至少为 1，而不是 &apos;%1&apos;。</translation>
    </message>
    <message>
        <source>unknown preset &apos;%1&apos;; the presets are: %2</source>
        <translation>未知预设 &apos;%1&apos;；可用预设：%2</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>Found %1 labeled slices in %2 volumes. Training cases: %3. Validation cases: %4.
</source>
        <translation>在 %2 个体数据中找到 %1 个已标注切片。训练病例：%3。验证病例：%4。
</translation>
    </message>
    <message>
        <source>Intensities: %1.
</source>
        <translation>强度：%1。
</translation>
    </message>
</context>
<context>
    <name>medseg::ui::AboutDialog</name>
    <message>
        <source>About MedSeg Studio</source>
        <translation>关于 MedSeg Studio</translation>
    </message>
    <message>
        <source>Label medical images and train segmentation models in one window. For research use only; not for diagnosis.</source>
        <translation>在同一窗口中标注医学图像并训练分割模型。仅供科研使用，不可用于诊断。</translation>
    </message>
    <message>
        <source>Component</source>
        <translation>组件</translation>
    </message>
    <message>
        <source>Version in use</source>
        <translation>当前使用的版本</translation>
    </message>
</context>
<context>
    <name>medseg::ui::DicomBrowserController</name>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
</context>
<context>
    <name>medseg::ui::DicomBrowserModel</name>
    <message>
        <source>Study UID: %1</source>
        <translation>检查 UID：%1</translation>
    </message>
    <message>
        <source>Patient ID: %1</source>
        <translation>患者 ID：%1</translation>
    </message>
    <message>
        <source>(anonymous)</source>
        <translation>（匿名）</translation>
    </message>
    <message>
        <source>Study</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Series %1</source>
        <translation>序列 %1</translation>
    </message>
    <message>
        <source>Patient / Study / Series</source>
        <translation>患者 / 检查 / 序列</translation>
    </message>
    <message>
        <source>Modality</source>
        <translation>模态</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>图像数</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Series %1
Body part: %2
Size: %3×%4
UID: %5</source>
        <translation>序列 %1
部位：%2
尺寸：%3×%4
UID：%5</translation>
    </message>
</context>
<context>
    <name>medseg::ui::DicomBrowserPanel</name>
    <message>
        <source>No DICOM source yet. Open a folder or a DICOMDIR exported from PACS or a CD.</source>
        <translation>尚无 DICOM 数据源。请打开从 PACS 或光盘导出的文件夹或 DICOMDIR。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop indexing; what is indexed so far is kept</source>
        <translation>停止索引；已索引的内容会保留</translation>
    </message>
    <message>
        <source>Indexing %1…</source>
        <translation>正在索引 %1…</translation>
    </message>
    <message>
        <source>Indexing %1: %2 of %3 files</source>
        <translation>正在索引 %1：%2 / %3 个文件</translation>
    </message>
    <message>
        <source>Skipped files: %1</source>
        <translation>已跳过的文件：%1</translation>
    </message>
</context>
<context>
    <name>medseg::ui::Document</name>
    <message>
        <source>Add source %1</source>
        <translation>添加数据源 %1</translation>
    </message>
    <message>
        <source>Open a series and label some slices first.</source>
        <translation>请先打开一个序列并标注一些切片。</translation>
    </message>
    <message>
        <source>The series is still loading.</source>
        <translation>序列仍在加载中。</translation>
    </message>
    <message>
        <source>Label names of %1</source>
        <translation>%1 的标签名称</translation>
    </message>
    <message>
        <source>The project has no folder yet: use Save Project As.</source>
        <translation>项目还没有文件夹：请使用“项目另存为”。</translation>
    </message>
    <message>
        <source>%1 is open in another MedSeg Studio (process %2).</source>
        <translation>%1 已在另一个 MedSeg Studio 中打开（进程 %2）。</translation>
    </message>
    <message>
        <source>Show a series before importing its labels.</source>
        <translation>请先显示一个序列，再导入它的标签。</translation>
    </message>
    <message>
        <source>Import labels %1</source>
        <translation>导入标签 %1</translation>
    </message>
    <message>
        <source>Show a series before exporting its labels.</source>
        <translation>请先显示一个序列，再导出它的标签。</translation>
    </message>
    <message>
        <source>Show a DICOM series before exporting a DICOM SEG.</source>
        <translation>请先显示一个 DICOM 序列，再导出 DICOM SEG。</translation>
    </message>
    <message>
        <source>Import label descriptions %1</source>
        <translation>导入标签描述 %1</translation>
    </message>
    <message>
        <source>Cannot write the demo study to %1: %2</source>
        <translation>无法将演示研究写入 %1：%2</translation>
    </message>
    <message>
        <source>Only image files (NIfTI, NRRD, MetaImage) take a modality from the user; a DICOM series names its own.</source>
        <translation>只有图像文件（NIfTI、NRRD、MetaImage）可以由用户指定模态；DICOM 序列自带模态。</translation>
    </message>
</context>
<context>
    <name>medseg::ui::ExportDialog</name>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Opset</source>
        <translation>Opset</translation>
    </message>
    <message>
        <source>Calibration slices</source>
        <translation>校准切片</translation>
    </message>
    <message>
        <source>Exported %1, but a validation check FAILED: see the report.</source>
        <translation>已导出 %1，但有验证检查未通过：请查看报告。</translation>
    </message>
    <message>
        <source>Report: %1
Model card: %2</source>
        <translation>报告：%1
模型卡：%2</translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>ONNX models (*.onnx)</source>
        <translation>ONNX 模型 (*.onnx)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Export Model</source>
        <translation>导出模型</translation>
    </message>
    <message>
        <source>ONNX fp32</source>
        <translation>ONNX fp32</translation>
    </message>
    <message>
        <source>ONNX int8 for ONNX Runtime (CPU)</source>
        <translation>ONNX int8，用于 ONNX Runtime（CPU）</translation>
    </message>
    <message>
        <source>ONNX int8 for TensorRT</source>
        <translation>ONNX int8，用于 TensorRT</translation>
    </message>
    <message>
        <source>TorchScript fp32 (LibTorch, PyTorch)</source>
        <translation>TorchScript fp32（LibTorch、PyTorch）</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>TorchScript models (*.pt)</source>
        <translation>TorchScript 模型 (*.pt)</translation>
    </message>
    <message>
        <source>Fixed input size (for OpenCV dnn)</source>
        <translation>固定输入尺寸（用于 OpenCV dnn）</translation>
    </message>
    <message>
        <source>Input size</source>
        <translation>输入尺寸</translation>
    </message>
    <message>
        <source>Exported %1, but NOT VERIFIED: ONNX Runtime could not be run on this computer, so the exported model was not compared with the trained one. Reason: %2</source>
        <translation>已导出 %1，但未验证：本机无法运行 ONNX Runtime，因此导出的模型未与训练所得的模型进行比较。原因：%2</translation>
    </message>
    <message>
        <source>Exported %1. Every validation check ran and passed.</source>
        <translation>已导出 %1。每项验证检查都已运行并通过。</translation>
    </message>
    <message>
        <source>Replace Exported Model?</source>
        <translation>替换已导出的模型？</translation>
    </message>
    <message>
        <source>%1 exists already. Replace it, with its model card and report?</source>
        <translation>%1 已存在。要替换它及其模型卡和报告吗？</translation>
    </message>
    <message>
        <source>fp32 keeps the trained numbers exactly. int8 for ONNX Runtime (CPU) is about four times smaller and faster on a CPU, checked against fp32 on your slices. int8 for TensorRT is for NVIDIA GPUs (symmetric, percentile calibration). TorchScript runs in LibTorch and PyTorch.</source>
        <translation>fp32 精确保留训练所得的数值。用于 ONNX Runtime（CPU）的 int8 约小四倍、在 CPU 上更快，并在您的切片上与 fp32 对比检查。用于 TensorRT 的 int8 面向 NVIDIA GPU（对称量化、百分位校准）。TorchScript 可在 LibTorch 和 PyTorch 中运行。</translation>
    </message>
    <message>
        <source>The ONNX version of the operators written. 17 for current runtimes; 13 or 11 only for an old runtime that refuses 17 (int8 needs 13).</source>
        <translation>写出的 ONNX 算子版本。当前的运行时用 17；只有拒绝 17 的旧运行时才用 13 或 11（int8 需要 13）。</translation>
    </message>
    <message>
        <source>How many training slices int8 measures its value ranges on. More slices give ranges closer to real data; 32 is usually enough.</source>
        <translation>int8 用多少个训练切片测量数值范围。切片越多，范围越接近真实数据；通常 32 个就足够。</translation>
    </message>
    <message>
        <source>Writes the graph for one fixed image size, for runtimes that cannot work out sizes themselves (OpenCV&apos;s dnn module). Other runtimes take any size without it.</source>
        <translation>按一个固定的图像尺寸写出计算图，供无法自行推算尺寸的运行时使用（OpenCV 的 dnn 模块）。其他运行时不需要它即可接受任意尺寸。</translation>
    </message>
</context>
<context>
    <name>medseg::ui::ExportSession</name>
    <message>
        <source>ONNX checker (fp32): %1</source>
        <translation>ONNX 检查器（fp32）：%1</translation>
    </message>
    <message>
        <source>fp32 against LibTorch: %1</source>
        <translation>fp32 与 LibTorch 对比：%1</translation>
    </message>
    <message>
        <source>  %1 x %2: max abs difference %3</source>
        <translation>  %1 x %2：最大绝对差 %3</translation>
    </message>
    <message>
        <source>ONNX checker (int8): %1</source>
        <translation>ONNX 检查器（int8）：%1</translation>
    </message>
    <message>
        <source>int8 against fp32: %1</source>
        <translation>int8 与 fp32 对比：%1</translation>
    </message>
    <message>
        <source>  argmax agreement %1%, Dice %2 -&gt; %3 (drop %4, against %5)</source>
        <translation>  argmax 一致率 %1%，Dice %2 -&gt; %3（下降 %4，参照 %5）</translation>
    </message>
    <message>
        <source>  size %1 MB (fp32 %2 MB)</source>
        <translation>  大小 %1 MB（fp32 %2 MB）</translation>
    </message>
    <message>
        <source>  size %1 MB</source>
        <translation>  大小 %1 MB</translation>
    </message>
    <message>
        <source>An export is running already.</source>
        <translation>已有导出任务正在进行。</translation>
    </message>
    <message>
        <source>int8 needs training slices to calibrate on: load the training data in the Training dock first.</source>
        <translation>int8 需要用训练切片进行校准：请先在“训练”面板中加载训练数据。</translation>
    </message>
    <message>
        <source>Export cancelled.</source>
        <translation>导出已取消。</translation>
    </message>
    <message>
        <source>Loaded back with torch::jit::load: %1</source>
        <translation>用 torch::jit::load 重新加载：%1</translation>
    </message>
</context>
<context>
    <name>medseg::ui::LabelPanel</name>
    <message>
        <source>All labels</source>
        <translation>所有标签</translation>
    </message>
    <message>
        <source>Clear label only</source>
        <translation>仅空白标签</translation>
    </message>
    <message>
        <source>Only over %1</source>
        <translation>仅覆盖 %1</translation>
    </message>
    <message>
        <source>Colour of %1</source>
        <translation>%1 的颜色</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <source>Add a label with the next free value</source>
        <translation>用下一个未使用的值添加标签</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove the active label from the table (its voxels stay)</source>
        <translation>从表中移除当前标签（其体素保留）</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <source>Crosshair</source>
        <translation>十字光标</translation>
    </message>
    <message>
        <source>Brush</source>
        <translation>画笔</translation>
    </message>
    <message>
        <source>Eraser</source>
        <translation>橡皮擦</translation>
    </message>
    <message>
        <source>Polygon</source>
        <translation>多边形</translation>
    </message>
    <message>
        <source>Lasso</source>
        <translation>套索</translation>
    </message>
    <message>
        <source>Flood fill</source>
        <translation>漫水填充</translation>
    </message>
    <message>
        <source>Left click moves the crosshair</source>
        <translation>左键单击移动十字光标</translation>
    </message>
    <message>
        <source>Paint the active label; Shift+wheel or [ ] change the size</source>
        <translation>用当前标签绘制；Shift+滚轮或 [ ] 调整大小</translation>
    </message>
    <message>
        <source>Erase to the clear label</source>
        <translation>擦除为空白标签</translation>
    </message>
    <message>
        <source>Click the vertices; double-click or Enter fills</source>
        <translation>单击放置顶点；双击或按 Enter 填充</translation>
    </message>
    <message>
        <source>Drag an outline; release fills</source>
        <translation>拖动绘制轮廓；松开鼠标即填充</translation>
    </message>
    <message>
        <source>Fill the connected region under the click</source>
        <translation>填充单击处的连通区域</translation>
    </message>
    <message>
        <source>Radius</source>
        <translation>半径</translation>
    </message>
    <message>
        <source>voxels</source>
        <translation>体素</translation>
    </message>
    <message>
        <source>mm</source>
        <translation>mm</translation>
    </message>
    <message>
        <source>Round</source>
        <translation>圆形</translation>
    </message>
    <message>
        <source>Square</source>
        <translation>方形</translation>
    </message>
    <message>
        <source>3D</source>
        <translation>3D</translation>
    </message>
    <message>
        <source>Paint a ball or cube through neighbouring slices</source>
        <translation>跨相邻切片绘制球体或立方体</translation>
    </message>
    <message>
        <source>Paint over</source>
        <translation>可覆盖</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <source>Only change voxels whose intensity lies between the two values</source>
        <translation>仅修改强度位于两个值之间的体素</translation>
    </message>
    <message>
        <source>Lowest intensity painted</source>
        <translation>绘制的最低强度</translation>
    </message>
    <message>
        <source>Highest intensity painted</source>
        <translation>绘制的最高强度</translation>
    </message>
    <message>
        <source>Overlay</source>
        <translation>叠加层</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>填充</translation>
    </message>
    <message>
        <source>Outline</source>
        <translation>轮廓</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>Clean up</source>
        <translation>清理</translation>
    </message>
    <message>
        <source>Fill between slices</source>
        <translation>切片间填充</translation>
    </message>
    <message>
        <source>Interpolate the active label across the empty slices between labeled ones</source>
        <translation>在已标注切片之间的空白切片上对当前标签进行插值</translation>
    </message>
    <message>
        <source>Axial</source>
        <translation>轴位</translation>
    </message>
    <message>
        <source>Sagittal</source>
        <translation>矢状位</translation>
    </message>
    <message>
        <source>Coronal</source>
        <translation>冠状位</translation>
    </message>
    <message>
        <source>Remove islands under</source>
        <translation>移除孤岛，小于</translation>
    </message>
    <message>
        <source>Remove connected pieces of the active label smaller than this many voxels</source>
        <translation>移除当前标签中体素数少于此值的连通块</translation>
    </message>
    <message>
        <source> voxels</source>
        <translation> 体素</translation>
    </message>
    <message>
        <source>Keep largest component</source>
        <translation>保留最大连通分量</translation>
    </message>
    <message>
        <source>Smaller brush</source>
        <translation>缩小画笔</translation>
    </message>
    <message>
        <source>Larger brush</source>
        <translation>放大画笔</translation>
    </message>
    <message>
        <source>Previous label</source>
        <translation>上一个标签</translation>
    </message>
    <message>
        <source>Next label</source>
        <translation>下一个标签</translation>
    </message>
    <message>
        <source>Show or hide the label overlay</source>
        <translation>显示或隐藏标签叠加层</translation>
    </message>
</context>
<context>
    <name>medseg::ui::LabelSession</name>
    <message>
        <source>Accept prediction on slice %1</source>
        <translation>接受切片 %1 上的预测</translation>
    </message>
    <message numerus="yes">
        <source>Accept prediction on %n slice(s)</source>
        <translation>
            <numerusform>接受 %n 个切片上的预测</numerusform>
        </translation>
    </message>
    <message>
        <source>Rename label %1</source>
        <translation>重命名标签 %1</translation>
    </message>
    <message>
        <source>Change colour of %1</source>
        <translation>更改 %1 的颜色</translation>
    </message>
    <message>
        <source>Change opacity of %1</source>
        <translation>更改 %1 的不透明度</translation>
    </message>
    <message>
        <source>Show %1</source>
        <translation>显示 %1</translation>
    </message>
    <message>
        <source>Hide %1</source>
        <translation>隐藏 %1</translation>
    </message>
    <message>
        <source>Lock %1</source>
        <translation>锁定 %1</translation>
    </message>
    <message>
        <source>Unlock %1</source>
        <translation>解锁 %1</translation>
    </message>
    <message>
        <source>Label %1</source>
        <translation>标签 %1</translation>
    </message>
    <message>
        <source>Add label %1</source>
        <translation>添加标签 %1</translation>
    </message>
    <message>
        <source>Remove label %1</source>
        <translation>移除标签 %1</translation>
    </message>
    <message>
        <source>Erase</source>
        <translation>擦除</translation>
    </message>
    <message>
        <source>Paint %1</source>
        <translation>绘制 %1</translation>
    </message>
    <message>
        <source>Lasso fill %1</source>
        <translation>套索填充 %1</translation>
    </message>
    <message>
        <source>Polygon fill %1</source>
        <translation>多边形填充 %1</translation>
    </message>
    <message>
        <source>Flood fill %1</source>
        <translation>区域填充 %1</translation>
    </message>
    <message>
        <source>Fill between slices (%1)</source>
        <translation>层间填充（%1）</translation>
    </message>
    <message>
        <source>Remove islands under %1 voxels (%2)</source>
        <translation>移除小于 %1 个体素的孤岛（%2）</translation>
    </message>
    <message>
        <source>Keep largest component (%1)</source>
        <translation>保留最大连通区域（%1）</translation>
    </message>
</context>
<context>
    <name>medseg::ui::LabelStatisticsModel</name>
    <message>
        <source>Label</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Voxels</source>
        <translation>体素数</translation>
    </message>
    <message>
        <source>Volume (mL)</source>
        <translation>体积（mL）</translation>
    </message>
    <message>
        <source>Surface (mm²)</source>
        <translation>表面积（mm²）</translation>
    </message>
    <message>
        <source>Mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>SD</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>Size (mm)</source>
        <translation>尺寸（mm）</translation>
    </message>
</context>
<context>
    <name>medseg::ui::LabelStatisticsWidget</name>
    <message>
        <source>Export Label Statistics</source>
        <translation>导出标签统计</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
</context>
<context>
    <name>medseg::ui::LabelTableModel</name>
    <message>
        <source>Label %1, colour %2</source>
        <translation>标签 %1，颜色 %2</translation>
    </message>
    <message>
        <source>Shown in the overlay</source>
        <translation>在叠加层中显示</translation>
    </message>
    <message>
        <source>Locked labels never change, whatever the tool</source>
        <translation>锁定的标签不会被任何工具修改</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>Visible</source>
        <translation>可见</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>锁定</translation>
    </message>
</context>
<context>
    <name>medseg::ui::MainWindow</name>
    <message>
        <source>MedSeg Studio</source>
        <translation>MedSeg Studio</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Open DICOM Folder…</source>
        <translation>打开 DICOM 文件夹(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Clear List</source>
        <translation>清空列表(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;About MedSeg Studio</source>
        <translation>关于 MedSeg Studio(&amp;A)</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>关于 &amp;Qt</translation>
    </message>
    <message>
        <source>DICOM Browser</source>
        <translation>DICOM 浏览器</translation>
    </message>
    <message>
        <source>Labels</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>%1 does not exist any more.</source>
        <translation>%1 已不存在。</translation>
    </message>
    <message>
        <source>Added %1</source>
        <translation>已添加 %1</translation>
    </message>
    <message>
        <source>Open DICOM Folder</source>
        <translation>打开 DICOM 文件夹</translation>
    </message>
    <message>
        <source>&amp;Undo %1</source>
        <translation>撤销(&amp;U) %1</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo %1</source>
        <translation>重做(&amp;R) %1</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Cannot load the series: %1</source>
        <translation>无法加载序列：%1</translation>
    </message>
    <message>
        <source>Cannot index %1: %2</source>
        <translation>无法索引 %1：%2</translation>
    </message>
    <message>
        <source>Add a folder of DICOM images to the project</source>
        <translation>将包含 DICOM 图像的文件夹添加到项目</translation>
    </message>
    <message>
        <source>Open DICOM&amp;DIR…</source>
        <translation>打开 DICOM&amp;DIR…</translation>
    </message>
    <message>
        <source>Add the images a DICOMDIR (CD or export) lists</source>
        <translation>添加 DICOMDIR（光盘或导出）中列出的图像</translation>
    </message>
    <message>
        <source>Open DICOMDIR</source>
        <translation>打开 DICOMDIR</translation>
    </message>
    <message>
        <source>DICOMDIR files (DICOMDIR dicomdir DICOMDIR.*);;All files (*)</source>
        <translation>DICOMDIR 文件 (DICOMDIR dicomdir DICOMDIR.*);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Labels not loaded</source>
        <translation>标签未加载</translation>
    </message>
    <message>
        <source>Open &amp;Project…</source>
        <translation>打开项目(&amp;P)…</translation>
    </message>
    <message>
        <source>Open a project folder (NAME.medseg)</source>
        <translation>打开项目文件夹（NAME.medseg）</translation>
    </message>
    <message>
        <source>&amp;Save Project</source>
        <translation>保存项目(&amp;S)</translation>
    </message>
    <message>
        <source>Save Project &amp;As…</source>
        <translation>项目另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Import Label Volume…</source>
        <translation>导入标签体数据(&amp;I)…</translation>
    </message>
    <message>
        <source>Replace the labels of the shown series by a NIfTI label volume</source>
        <translation>用 NIfTI 标签体数据替换当前显示序列的标签</translation>
    </message>
    <message>
        <source>&amp;Export Label Volume…</source>
        <translation>导出标签体数据(&amp;E)…</translation>
    </message>
    <message>
        <source>Write the labels of the shown series as NIfTI (opens in ITK-SNAP and 3D Slicer)</source>
        <translation>将当前显示序列的标签写为 NIfTI（可在 ITK-SNAP 和 3D Slicer 中打开）</translation>
    </message>
    <message>
        <source>Export DICOM &amp;SEG…</source>
        <translation>导出 DICOM SEG(&amp;S)…</translation>
    </message>
    <message>
        <source>Write the labels as a DICOM Segmentation that references the shown series</source>
        <translation>将标签写为引用当前显示序列的 DICOM 分割（Segmentation）对象</translation>
    </message>
    <message>
        <source>Import Label &amp;Descriptions…</source>
        <translation>导入标签描述(&amp;D)…</translation>
    </message>
    <message>
        <source>Export Label Des&amp;criptions…</source>
        <translation>导出标签描述(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>Unsaved Changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>The project has unsaved changes. Save them?</source>
        <translation>项目有未保存的更改。是否保存？</translation>
    </message>
    <message>
        <source>Recover Unsaved Work</source>
        <translation>恢复未保存的工作</translation>
    </message>
    <message>
        <source>MedSeg Studio did not close normally. Restore the work autosaved in %1?</source>
        <translation>MedSeg Studio 上次未正常关闭。是否恢复自动保存在 %1 中的工作？</translation>
    </message>
    <message>
        <source>Recovered the autosaved work. Save it to keep it.</source>
        <translation>已恢复自动保存的工作。请保存以保留这些内容。</translation>
    </message>
    <message>
        <source>Recovery Failed</source>
        <translation>恢复失败</translation>
    </message>
    <message>
        <source>Project Not Saved</source>
        <translation>项目未保存</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Save Project As</source>
        <translation>项目另存为</translation>
    </message>
    <message>
        <source>MedSeg projects (*.medseg)</source>
        <translation>MedSeg 项目 (*.medseg)</translation>
    </message>
    <message>
        <source>Open Project (a NAME.medseg folder)</source>
        <translation>打开项目（NAME.medseg 文件夹）</translation>
    </message>
    <message>
        <source>Project Not Opened</source>
        <translation>项目未打开</translation>
    </message>
    <message>
        <source>Import Label Volume</source>
        <translation>导入标签体数据</translation>
    </message>
    <message>
        <source>NIfTI files (*.nii.gz *.nii)</source>
        <translation>NIfTI 文件 (*.nii.gz *.nii)</translation>
    </message>
    <message>
        <source>Labels Not Imported</source>
        <translation>标签未导入</translation>
    </message>
    <message>
        <source>Export Label Volume</source>
        <translation>导出标签体数据</translation>
    </message>
    <message>
        <source>Labels Not Exported</source>
        <translation>标签未导出</translation>
    </message>
    <message>
        <source>Export DICOM SEG</source>
        <translation>导出 DICOM SEG</translation>
    </message>
    <message>
        <source>DICOM files (*.dcm);;All files (*)</source>
        <translation>DICOM 文件 (*.dcm);;所有文件 (*)</translation>
    </message>
    <message>
        <source>DICOM SEG Not Exported</source>
        <translation>DICOM SEG 未导出</translation>
    </message>
    <message>
        <source>Import Label Descriptions</source>
        <translation>导入标签描述</translation>
    </message>
    <message>
        <source>ITK-SNAP label descriptions (*.txt);;All files (*)</source>
        <translation>ITK-SNAP 标签描述 (*.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Label Descriptions Not Imported</source>
        <translation>标签描述未导入</translation>
    </message>
    <message>
        <source>Export Label Descriptions</source>
        <translation>导出标签描述</translation>
    </message>
    <message>
        <source>Label Descriptions Not Exported</source>
        <translation>标签描述未导出</translation>
    </message>
    <message>
        <source>Autosave failed, will retry: %1</source>
        <translation>自动保存失败，将重试：%1</translation>
    </message>
    <message>
        <source>Open a DICOM folder (File &gt; Open DICOM Folder…) or a project (File &gt; Open Project…) to start labeling, then double-click a series in the DICOM browser.

No images at hand? File &gt; Open Demo Study opens synthetic CT patients with their organs labeled, to try labeling and training.</source>
        <translation>打开一个 DICOM 文件夹（文件 &gt; 打开 DICOM 文件夹…）或一个项目（文件 &gt; 打开项目…）开始标注，然后在 DICOM 浏览器中双击一个序列。

手头没有图像？“文件 &gt; 打开演示研究”会打开已标注器官的合成 CT 患者，可用来试用标注和训练。</translation>
    </message>
    <message>
        <source>Open De&amp;mo Study</source>
        <translation>打开演示研究(&amp;M)</translation>
    </message>
    <message>
        <source>Synthetic CT patients with labeled liver, kidneys, spleen and bone, written once to your data folder</source>
        <translation>已标注肝脏、肾脏、脾脏和骨骼的合成 CT 患者，只写入您的数据文件夹一次</translation>
    </message>
    <message>
        <source>%1[*] — MedSeg Studio</source>
        <translation>%1[*] — MedSeg Studio</translation>
    </message>
    <message>
        <source>Demo Study Not Written</source>
        <translation>未写入演示研究</translation>
    </message>
    <message>
        <source>&amp;Patient Information on Images</source>
        <translation>在图像上显示患者信息(&amp;P)</translation>
    </message>
    <message>
        <source>Show the patient&apos;s name and ID, the study date and descriptions on the views; hide them for screenshots</source>
        <translation>在视图上显示患者姓名和 ID、检查日期及描述；截图时可隐藏</translation>
    </message>
    <message>
        <source>%1 (project)</source>
        <translation>%1（项目）</translation>
    </message>
    <message>
        <source>&amp;3D View</source>
        <translation>三维视图(&amp;3)</translation>
    </message>
    <message>
        <source>Show the label surfaces in the fourth quadrant of the viewer, as ITK-SNAP does</source>
        <translation>在查看区的第四象限显示标签表面（与 ITK-SNAP 相同）</translation>
    </message>
    <message>
        <source>Label Statistics</source>
        <translation>标签统计</translation>
    </message>
    <message>
        <source>Open &amp;Image…</source>
        <translation>打开图像(&amp;I)…</translation>
    </message>
    <message>
        <source>Add a NIfTI, NRRD or MetaImage volume (or a DICOM file) to the project</source>
        <translation>将 NIfTI、NRRD 或 MetaImage 体数据（或 DICOM 文件）添加到项目</translation>
    </message>
    <message>
        <source>Open Image</source>
        <translation>打开图像</translation>
    </message>
    <message>
        <source>Image volumes (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;NIfTI (*.nii *.nii.gz);;NRRD (*.nrrd *.nhdr);;MetaImage (*.mha *.mhd);;All files (*)</source>
        <translation>图像体数据 (*.nii *.nii.gz *.nrrd *.nhdr *.mha *.mhd);;NIfTI (*.nii *.nii.gz);;NRRD (*.nrrd *.nhdr);;MetaImage (*.mha *.mhd);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Import &amp;Dataset…</source>
        <translation>导入数据集(&amp;D)…</translation>
    </message>
    <message>
        <source>Make a project of an nnU-Net or Medical Segmentation Decathlon dataset</source>
        <translation>用 nnU-Net 或 Medical Segmentation Decathlon 数据集创建项目</translation>
    </message>
    <message>
        <source>Export as nnU-Net Dataset…</source>
        <translation>导出为 nnU-Net 数据集…</translation>
    </message>
    <message>
        <source>Write the saved project&apos;s labeled volumes as an nnU-Net v2 dataset</source>
        <translation>将已保存项目中已标注的体数据写为 nnU-Net v2 数据集</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Import Dataset (the folder with dataset.json)</source>
        <translation>导入数据集（包含 dataset.json 的文件夹）</translation>
    </message>
    <message>
        <source>New Project for the Dataset</source>
        <translation>为数据集新建项目</translation>
    </message>
    <message>
        <source>Importing %1…</source>
        <translation>正在导入 %1…</translation>
    </message>
    <message>
        <source>Dataset Not Imported</source>
        <translation>数据集未导入</translation>
    </message>
    <message>
        <source>Save the Project First</source>
        <translation>请先保存项目</translation>
    </message>
    <message>
        <source>The dataset is written from the saved project: save it first (File &gt; Save Project).</source>
        <translation>数据集由已保存的项目写出：请先保存项目（文件 &gt; 保存项目）。</translation>
    </message>
    <message>
        <source>nnU-Net Dataset Folder (DatasetNNN_Name)</source>
        <translation>nnU-Net 数据集文件夹（DatasetNNN_Name）</translation>
    </message>
    <message>
        <source>Writing the dataset…</source>
        <translation>正在写出数据集…</translation>
    </message>
    <message>
        <source>Dataset Written</source>
        <translation>数据集已写出</translation>
    </message>
    <message>
        <source>The nnU-Net dataset is in %1.</source>
        <translation>nnU-Net 数据集位于 %1。</translation>
    </message>
    <message>
        <source>Dataset Not Written</source>
        <translation>数据集未写出</translation>
    </message>
    <message>
        <source>Modality Not Changed</source>
        <translation>模态未更改</translation>
    </message>
    <message>
        <source>Image &amp;Modality</source>
        <translation>图像模态(&amp;M)</translation>
    </message>
    <message>
        <source>What the intensities of the image file on screen are: it decides the window presets and how training reads them</source>
        <translation>屏幕上图像文件的强度类型：它决定窗宽窗位预设以及训练如何读取数据</translation>
    </message>
    <message>
        <source>Judge from the Values</source>
        <translation>根据数值判断</translation>
    </message>
    <message>
        <source>CT (Hounsfield Units)</source>
        <translation>CT（Hounsfield 单位）</translation>
    </message>
    <message>
        <source>MR or Other</source>
        <translation>MR 或其他</translation>
    </message>
    <message>
        <source>Save the project first (File &gt; Save As…): the job reads the saved project.</source>
        <translation>请先保存项目（文件 &gt; 另存为…）：此任务读取已保存的项目。</translation>
    </message>
    <message>
        <source>Save the project first: the job reads the saved project, and it has unsaved edits.</source>
        <translation>请先保存项目：此任务读取已保存的项目，而项目中有未保存的修改。</translation>
    </message>
    <message>
        <source>Labels Mapped by Name</source>
        <translation>已按名称映射标签</translation>
    </message>
</context>
<context>
    <name>medseg::ui::PredictionSession</name>
    <message>
        <source>Prediction cancelled.</source>
        <translation>预测已取消。</translation>
    </message>
    <message>
        <source>live preview, step %1</source>
        <translation>实时预览，第 %1 步</translation>
    </message>
    <message>
        <source>live preview of the training</source>
        <translation>训练的实时预览</translation>
    </message>
    <message>
        <source>Accept prediction on slice %1</source>
        <translation>接受第 %1 层的预测</translation>
    </message>
    <message numerus="yes">
        <source>Accept %n predicted slice(s)</source>
        <translation>
            <numerusform>接受 %n 个已预测的切片</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>medseg::ui::ProjectJobs</name>
    <message>
        <source>%1: Dice %2 ± %3, HD95 %4 mm</source>
        <translation>%1：Dice %2 ± %3，HD95 %4 mm</translation>
    </message>
    <message>
        <source>undefined</source>
        <translation>未定义</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n label file(s) to %1.</source>
        <translation>
            <numerusform>已将 %n 个标签文件写入 %1。</numerusform>
        </translation>
    </message>
    <message>
        <source>Skipped %1</source>
        <translation>已跳过 %1</translation>
    </message>
    <message numerus="yes">
        <source>%1 on %n validation case(s):</source>
        <translation>
            <numerusform>%1 在 %n 个验证病例上的结果：</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>medseg::ui::RunHistory</name>
    <message>
        <source>%1 is not a training run: it has no metrics.jsonl.</source>
        <translation>%1 不是训练运行：其中没有 metrics.jsonl。</translation>
    </message>
</context>
<context>
    <name>medseg::ui::SeriesSession</name>
    <message>
        <source>Series %1</source>
        <translation>序列 %1</translation>
    </message>
    <message>
        <source>Min-max of this slice</source>
        <translation>本切片的最小-最大值</translation>
    </message>
    <message>
        <source>1st-99th percentile of this slice</source>
        <translation>本切片的第 1-99 百分位</translation>
    </message>
    <message>
        <source>Voxel (%1, %2, %3)   %4, %5, %6 mm</source>
        <translation>体素 (%1, %2, %3)   %4, %5, %6 mm</translation>
    </message>
    <message>
        <source>   RGB %1, %2, %3</source>
        <translation>   RGB %1, %2, %3</translation>
    </message>
    <message>
        <source>%1 HU</source>
        <translation>%1 HU</translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <source>%1, volume %2 of %3</source>
        <translation>%1，第 %2 个体数据，共 %3 个</translation>
    </message>
</context>
<context>
    <name>medseg::ui::ShortcutsDialog</name>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source> or </source>
        <translation> 或 </translation>
    </message>
    <message>
        <source>Next / previous slice</source>
        <translation>下一张 / 上一张切片</translation>
    </message>
    <message>
        <source>Up / Down, Page Up / Page Down, mouse wheel</source>
        <translation>Up / Down、Page Up / Page Down、鼠标滚轮</translation>
    </message>
    <message>
        <source>First / last slice</source>
        <translation>第一张 / 最后一张切片</translation>
    </message>
    <message>
        <source>Home / End</source>
        <translation>Home / End</translation>
    </message>
    <message>
        <source>Zoom in / out</source>
        <translation>放大 / 缩小</translation>
    </message>
    <message>
        <source>+ / -, Ctrl+mouse wheel</source>
        <translation>+ / -、Ctrl+鼠标滚轮</translation>
    </message>
    <message>
        <source>Reset zoom and pan</source>
        <translation>重置缩放和平移</translation>
    </message>
    <message>
        <source>0</source>
        <translation>0</translation>
    </message>
    <message>
        <source>Pan</source>
        <translation>平移</translation>
    </message>
    <message>
        <source>Middle mouse drag</source>
        <translation>鼠标中键拖动</translation>
    </message>
    <message>
        <source>Window / level</source>
        <translation>窗宽 / 窗位</translation>
    </message>
    <message>
        <source>Right mouse drag</source>
        <translation>鼠标右键拖动</translation>
    </message>
    <message>
        <source>Apply the label tool</source>
        <translation>使用标注工具</translation>
    </message>
    <message>
        <source>Left mouse button</source>
        <translation>鼠标左键</translation>
    </message>
    <message>
        <source>Move the crosshair in a label tool</source>
        <translation>在标注工具中移动十字光标</translation>
    </message>
    <message>
        <source>Shift+left mouse button</source>
        <translation>Shift+鼠标左键</translation>
    </message>
    <message>
        <source>Brush size</source>
        <translation>画笔大小</translation>
    </message>
    <message>
        <source>Shift+mouse wheel</source>
        <translation>Shift+鼠标滚轮</translation>
    </message>
    <message>
        <source>Close the polygon</source>
        <translation>闭合多边形</translation>
    </message>
    <message>
        <source>Double-click, Enter</source>
        <translation>双击、Enter</translation>
    </message>
    <message>
        <source>Remove the last polygon vertex</source>
        <translation>删除多边形的最后一个顶点</translation>
    </message>
    <message>
        <source>Backspace</source>
        <translation>Backspace</translation>
    </message>
    <message>
        <source>Cancel the polygon or stroke</source>
        <translation>取消多边形或笔画</translation>
    </message>
    <message>
        <source>Esc</source>
        <translation>Esc</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>快捷键</translation>
    </message>
</context>
<context>
    <name>medseg::ui::SliceView</name>
    <message>
        <source>Axial</source>
        <translation>轴位</translation>
    </message>
    <message>
        <source>Frame</source>
        <translation>帧</translation>
    </message>
    <message>
        <source>Sagittal</source>
        <translation>矢状位</translation>
    </message>
    <message>
        <source>Coronal</source>
        <translation>冠状位</translation>
    </message>
    <message>
        <source>%1 %2/%3</source>
        <translation>%1 %2/%3</translation>
    </message>
    <message>
        <source>W %1  L %2</source>
        <translation>窗宽 %1  窗位 %2</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>VOI LUT</source>
        <translation>VOI LUT</translation>
    </message>
    <message>
        <source>Prediction: %1</source>
        <translation>预测：%1</translation>
    </message>
</context>
<context>
    <name>medseg::ui::SurfaceView</name>
    <message>
        <source>The 3D view needs a display with OpenGL.</source>
        <translation>三维视图需要支持 OpenGL 的显示环境。</translation>
    </message>
    <message>
        <source>Drag to rotate, right or middle drag to pan, wheel to zoom.</source>
        <translation>拖动旋转，右键或中键拖动平移，滚轮缩放。</translation>
    </message>
</context>
<context>
    <name>medseg::ui::TrainingController</name>
    <message>
        <source>Training ended with an unknown error.</source>
        <translation>训练因未知错误而结束。</translation>
    </message>
</context>
<context>
    <name>medseg::ui::TrainingPanel</name>
    <message>
        <source>Training failed: %1</source>
        <translation>训练失败：%1</translation>
    </message>
    <message>
        <source>Training finished: best mean Dice %1.</source>
        <translation>训练完成：最佳平均 Dice %1。</translation>
    </message>
    <message numerus="yes">
        <source>Training stopped after %n step(s); resume it from Runs.</source>
        <translation>
            <numerusform>训练在 %n 步后停止；可在“运行记录”中继续。</numerusform>
        </translation>
    </message>
    <message>
        <source>Training data</source>
        <translation>训练数据</translation>
    </message>
    <message>
        <source>Use model</source>
        <translation>使用模型</translation>
    </message>
    <message>
        <source>This run has no validated model (best.pt) yet.</source>
        <translation>此训练运行尚无经过验证的模型（best.pt）。</translation>
    </message>
    <message>
        <source>Open run</source>
        <translation>打开训练运行</translation>
    </message>
    <message>
        <source>Resume run</source>
        <translation>继续训练运行</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Choose a model (a run&apos;s best model) and open a fully loaded series first.</source>
        <translation>请先选择模型（某次训练运行的最佳模型），并打开一个已完全加载的序列。</translation>
    </message>
    <message>
        <source>Model: none (choose a run&apos;s best model under Runs; the live preview needs none)</source>
        <translation>模型：无（请在“运行记录”中选择某次训练运行的最佳模型；实时预览无需模型）</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>unlabeled</source>
        <translation>未标注</translation>
    </message>
    <message>
        <source>labeled</source>
        <translation>已标注</translation>
    </message>
    <message>
        <source>predicted (%1), not reviewed</source>
        <translation>已预测（%1），未审核</translation>
    </message>
    <message>
        <source>reviewed</source>
        <translation>已审核</translation>
    </message>
    <message>
        <source>Predicting…</source>
        <translation>正在预测…</translation>
    </message>
    <message>
        <source>Slice %1: %2</source>
        <translation>切片 %1：%2</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Setup</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行记录</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>审核</translation>
    </message>
    <message>
        <source>Use this project&apos;s labels</source>
        <translation>使用本项目的标签</translation>
    </message>
    <message>
        <source>Use for prediction</source>
        <translation>用于预测</translation>
    </message>
    <message>
        <source>Predict this slice</source>
        <translation>预测当前切片</translation>
    </message>
    <message>
        <source>Predict this series</source>
        <translation>预测当前序列</translation>
    </message>
    <message>
        <source>Fill unlabeled voxels</source>
        <translation>填充未标注体素</translation>
    </message>
    <message>
        <source>Replace labels</source>
        <translation>替换标签</translation>
    </message>
    <message>
        <source>Accept on this slice</source>
        <translation>接受当前切片</translation>
    </message>
    <message>
        <source>Accept all unreviewed</source>
        <translation>接受全部未审核切片</translation>
    </message>
    <message>
        <source>Next to review</source>
        <translation>下一个待审核</translation>
    </message>
    <message>
        <source>Mark reviewed</source>
        <translation>标记为已审核</translation>
    </message>
    <message>
        <source>Choose VOC dataset…</source>
        <translation>选择 VOC 数据集…</translation>
    </message>
    <message>
        <source>Backbone</source>
        <translation>骨干网络</translation>
    </message>
    <message>
        <source>Pyramid bins</source>
        <translation>金字塔池化尺度</translation>
    </message>
    <message>
        <source>Output stride</source>
        <translation>输出步幅</translation>
    </message>
    <message>
        <source>Dice weight (alpha)</source>
        <translation>Dice 权重（alpha）</translation>
    </message>
    <message>
        <source>Focal gamma</source>
        <translation>Focal 损失 gamma</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Data %</source>
        <translation>数据 %</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Dice</source>
        <translation>Dice</translation>
    </message>
    <message>
        <source>IoU</source>
        <translation>IoU</translation>
    </message>
    <message>
        <source>Best Dice</source>
        <translation>最佳 Dice</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>训练运行</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Choose a VOC segmentation dataset</source>
        <translation>选择 VOC 分割数据集</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Dataset: none</source>
        <translation>数据集：无</translation>
    </message>
    <message>
        <source>Dataset: %1</source>
        <translation>数据集：%1</translation>
    </message>
    <message>
        <source>Start training</source>
        <translation>开始训练</translation>
    </message>
    <message>
        <source>Paused.</source>
        <translation>已暂停。</translation>
    </message>
    <message>
        <source>Stopping after this step…</source>
        <translation>将在本步完成后停止…</translation>
    </message>
    <message>
        <source>%1 (%2 of %3)</source>
        <translation>%1（%2 / %3）</translation>
    </message>
    <message>
        <source>Step %1 of %2 · loss %3 · lr %4 · %5 images/s · ETA %6</source>
        <translation>第 %1 / %2 步 · 损失 %3 · 学习率 %4 · %5 张/秒 · 剩余 %6</translation>
    </message>
    <message>
        <source>Class %1</source>
        <translation>类别 %1</translation>
    </message>
    <message>
        <source>Show predictions</source>
        <translation>显示预测</translation>
    </message>
    <message>
        <source>Outlines</source>
        <translation>轮廓</translation>
    </message>
    <message>
        <source>Fill</source>
        <translation>填充</translation>
    </message>
    <message>
        <source>Opacity of the predictions</source>
        <translation>预测的不透明度</translation>
    </message>
    <message>
        <source>Delete Run</source>
        <translation>删除运行</translation>
    </message>
    <message>
        <source>Delete the run %1 with its models and checkpoints (%2)? This cannot be undone.</source>
        <translation>删除运行 %1 及其模型和检查点（%2）？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Size on disk</source>
        <translation>占用磁盘</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Delete the selected run&apos;s folder: its models, checkpoints and metrics</source>
        <translation>删除所选运行的文件夹：包括其模型、检查点和指标</translation>
    </message>
    <message>
        <source>Validation Dice of each class after each epoch, in the label&apos;s colour</source>
        <translation>每个轮次后各类别的验证 Dice，以标签的颜色显示</translation>
    </message>
    <message>
        <source>Training loss and learning rate at each step</source>
        <translation>每一步的训练损失和学习率</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>low</source>
        <translation>低</translation>
    </message>
    <message>
        <source>medium</source>
        <translation>中</translation>
    </message>
    <message>
        <source>high</source>
        <translation>高</translation>
    </message>
    <message>
        <source>No predictions on this series.</source>
        <translation>此序列没有预测。</translation>
    </message>
    <message>
        <source>Predictions: %1. Its validation Dice is unknown.</source>
        <translation>预测：%1。其验证 Dice 未知。</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1 %2</translation>
    </message>
    <message>
        <source>class %1</source>
        <translation>类别 %1</translation>
    </message>
    <message>
        <source>Predictions: %1. Validation Dice %2 (%3).</source>
        <translation>预测：%1。验证 Dice %2（%3）。</translation>
    </message>
    <message>
        <source>Its mean validation Dice is %1, below %2: many of its labels are likely wrong.</source>
        <translation>其平均验证 Dice 为 %1，低于 %2：它的很多标签可能是错误的。</translation>
    </message>
    <message>
        <source>How well it does is unknown: it has no validation scores.</source>
        <translation>其效果未知：它没有验证分数。</translation>
    </message>
    <message>
        <source>Accept All Predictions?</source>
        <translation>接受全部预测？</translation>
    </message>
    <message numerus="yes">
        <source>The predictions come from %1. %2

Accept them into the labels of %n slice(s)? You can undo this.</source>
        <translation>
            <numerusform>这些预测来自 %1。%2

将它们接受到 %n 个切片的标签中吗？此操作可以撤销。</numerusform>
        </translation>
    </message>
    <message>
        <source>The network that turns each slice into features. resnet18 is a safe default; mobilenet_v3_large and efficientnet_b0 are faster on a laptop; convnext_tiny is the largest and needs the most time and memory.</source>
        <translation>把每个切片转换为特征的网络。resnet18 是稳妥的默认选择；mobilenet_v3_large 和 efficientnet_b0 在笔记本电脑上更快；convnext_tiny 最大，需要最多的时间和内存。</translation>
    </message>
    <message>
        <source>Pyramid pooling: the grids (1 = the whole slice, 7 = a 7 x 7 grid) over which the model looks at context around each pixel. Keep 1,3,5,7 unless a paper says otherwise; fewer bins train slightly faster.</source>
        <translation>金字塔池化：模型在哪些网格上观察每个像素周围的上下文（1 = 整个切片，7 = 7 x 7 网格）。除非论文另有说明，请保持 1,3,5,7；网格越少训练略快。</translation>
    </message>
    <message>
        <source>How much smaller the feature maps are than the slice. 8 keeps fine detail (small structures, thin vessels) but is slower and uses more memory; 16 or 32 are faster and enough for large organs.</source>
        <translation>特征图比切片小多少倍。8 保留精细细节（小结构、细血管），但更慢、占用更多内存；16 或 32 更快，对大器官已足够。</translation>
    </message>
    <message>
        <source>How the loss mixes its two parts: 1 is Dice only (overlap of whole structures), 0 is focal only (pixel by pixel, stressing hard pixels). Raise it when small structures are missed; lower it when the edges are poor.</source>
        <translation>损失如何混合两部分：1 为仅 Dice（整个结构的重叠），0 为仅 focal（逐像素，侧重难分像素）。小结构被漏掉时调高；边缘较差时调低。</translation>
    </message>
    <message>
        <source>How strongly the focal loss ignores pixels the model already gets right. 2 is the usual value; 0 makes it plain cross-entropy.</source>
        <translation>focal 损失在多大程度上忽略模型已经分对的像素。通常取 2；取 0 即为普通交叉熵。</translation>
    </message>
    <message>
        <source>Counts rare classes more in the loss, in inverse proportion to their pixels (with a limit). Keep it on when a structure covers few pixels, such as a small organ or a lesion.</source>
        <translation>在损失中按像素数的反比（有上限）加重稀有类别。当某个结构只占很少像素（如小器官或病灶）时请保持开启。</translation>
    </message>
    <message>
        <source>The start of the random numbers (weights, augmentation, order of slices). The same seed and data give the same run; change it to see how much results vary.</source>
        <translation>随机数的起点（权重、数据增强、切片顺序）。相同的种子和数据得到相同的运行；更改它可查看结果的波动程度。</translation>
    </message>
    <message>
        <source>How big each optimisation step is. Too high: the loss jumps or becomes NaN; too low: training barely moves. Lower it for the later, whole-model stages.</source>
        <translation>每一步优化的幅度。太高：损失跳动或变成 NaN；太低：训练几乎不动。后面训练整个模型的阶段应调低。</translation>
    </message>
    <message>
        <source>The share of the training slices this stage uses.</source>
        <translation>此阶段使用的训练切片比例。</translation>
    </message>
    <message>
        <source>How much the slices are varied while training (rotation, elastic deformation, contrast, flips): more helps with few labeled slices, at the cost of slower learning.</source>
        <translation>训练时对切片的变化程度（旋转、弹性形变、对比度、翻转）：已标注切片较少时增强更有帮助，但学习会变慢。</translation>
    </message>
    <message>
        <source>How many times the stage goes through its training slices.</source>
        <translation>此阶段遍历其训练切片的次数。</translation>
    </message>
    <message>
        <source>Slices per step. Larger batches are steadier but need more memory; lower it when memory runs out.</source>
        <translation>每一步的切片数。批次越大越稳定，但需要更多内存；内存不足时调低。</translation>
    </message>
    <message>
        <source>The size (in pixels) slices are brought to for the network. Larger keeps detail but costs time and memory.</source>
        <translation>切片送入网络前缩放到的尺寸（像素）。越大保留的细节越多，但耗费时间和内存。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop predicting; slices already predicted are dropped</source>
        <translation>停止预测；已预测的切片将被丢弃</translation>
    </message>
    <message>
        <source>Weight rare classes more</source>
        <translation>加重稀有类别</translation>
    </message>
    <message>
        <source>LR</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Augment</source>
        <translation>增强</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>尺寸</translation>
    </message>
    <message>
        <source>Off (recommended): each slice keeps its proportions; its longer side is scaled to the input size and the rest is padded, so anatomy is not distorted. On: slices are stretched to a square, as some older tools do. Prediction always fits slices the way the model was trained.</source>
        <translation>关闭（推荐）：每张切片保持原有比例，较长边缩放到输入尺寸，其余部分填充，解剖结构不会变形。打开：切片被拉伸为方形（一些旧工具如此）。预测时始终按模型训练时的方式处理切片。</translation>
    </message>
    <message>
        <source>Stretch slices to a square</source>
        <translation>将切片拉伸为方形</translation>
    </message>
    <message>
        <source>Pretrained</source>
        <translation>预训练权重</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>ImageNet weights for the backbone (a torchvision state dict, e.g. resnet18-f37072fd.pth). With them the plan fine-tunes in three stages with small learning rates; without them it trains from scratch in one stage with a larger one. The file is checked at once and remembered for this backbone.</source>
        <translation>骨干网络的 ImageNet 权重（torchvision state dict，例如 resnet18-f37072fd.pth）。有权重时，计划以较小的学习率分三个阶段微调；没有时，以较大的学习率一个阶段从头训练。文件会立即检查，并为此骨干网络记住。</translation>
    </message>
    <message>
        <source>Train the backbone from scratch (random weights).</source>
        <translation>从头训练骨干网络（随机权重）。</translation>
    </message>
    <message>
        <source>Plan: from scratch, because no pretrained weights were given.</source>
        <translation>计划：从头训练，因为没有提供预训练权重。</translation>
    </message>
    <message>
        <source>Plan: from scratch.</source>
        <translation>计划：从头训练。</translation>
    </message>
    <message>
        <source>Plan: fine-tuning, because pretrained weights were given (%1).</source>
        <translation>计划：微调，因为提供了预训练权重（%1）。</translation>
    </message>
    <message>
        <source>Plan: the stages of a config file.</source>
        <translation>计划：配置文件中的阶段。</translation>
    </message>
    <message>
        <source>Choose pretrained weights</source>
        <translation>选择预训练权重</translation>
    </message>
    <message>
        <source>PyTorch weights (*.pth *.pt);;All files (*)</source>
        <translation>PyTorch 权重 (*.pth *.pt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Pretrained weights not used</source>
        <translation>未使用预训练权重</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>The share of the project&apos;s patients whose labeled slices validate the model (never trained on), chosen with the seed. Applies when &quot;Use this project&apos;s labels&quot; is clicked; with one patient, every fifth labeled slice validates.</source>
        <translation>项目中用于验证模型（从不用于训练）的患者比例，按种子选取。在点击“使用本项目的标注”时生效；只有一个患者时，每五个已标注切片中有一个用于验证。</translation>
    </message>
    <message>
        <source>Validation patients</source>
        <translation>验证患者</translation>
    </message>
    <message>
        <source>How image intensities become the network&apos;s input, recorded in the model so that prediction, the live preview and export apply it alike. Automatic follows nnU-Net: CT is clipped to the 0.5-99.5 percentiles of the labeled voxels and standardised with their mean and deviation; MR and other channels are standardised per volume. CT window on screen trains on what you see. Applies when &quot;Use this project&apos;s labels&quot; is clicked; datasets of 8-bit images stay as they are.</source>
        <translation>图像强度如何变为网络输入；该规则记录在模型中，预测、实时预览和导出都以相同方式应用。自动模式遵循 nnU-Net：CT 截断到已标注体素的 0.5–99.5 百分位，并用其均值和标准差标准化；MR 及其他通道按体数据标准化。“屏幕上的 CT 窗”按您看到的图像训练。在点击“使用本项目的标注”时生效；8 位图像数据集保持不变。</translation>
    </message>
    <message>
        <source>Intensities</source>
        <translation>强度</translation>
    </message>
    <message>
        <source>Automatic (nnU-Net)</source>
        <translation>自动（nnU-Net）</translation>
    </message>
    <message>
        <source>CT window on screen</source>
        <translation>屏幕上的 CT 窗</translation>
    </message>
    <message>
        <source>CT percentiles</source>
        <translation>CT 百分位</translation>
    </message>
    <message>
        <source>Z-score per volume</source>
        <translation>按体数据 z-score</translation>
    </message>
    <message>
        <source>Percentiles per volume</source>
        <translation>按体数据百分位</translation>
    </message>
    <message>
        <source>Predict all volumes</source>
        <translation>预测全部体数据</translation>
    </message>
    <message>
        <source>Select a run that has a validated model (best.pt).</source>
        <translation>请选择一个已有验证模型（best.pt）的训练运行。</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>Predict the run&apos;s validation cases with its best model and score them against your labels: Dice, IoU, HD95 and volumes per case and label, saved in the run folder as evaluation.json (nnU-Net&apos;s summary.json layout).</source>
        <translation>用该运行的最佳模型预测其验证病例，并与您的标注比较：按病例和标签给出 Dice、IoU、HD95 和体积，结果以 evaluation.json（nnU-Net 的 summary.json 格式）保存在运行文件夹中。</translation>
    </message>
    <message>
        <source>Run the model on every volume of the saved project and write one label file per case, on its own grid, to the project&apos;s predictions folder.</source>
        <translation>在已保存项目的每个体数据上运行模型，并按各自的网格为每个病例写出一个标签文件，保存到项目的 predictions 文件夹。</translation>
    </message>
    <message>
        <source>Choose a model first (Runs: Use for prediction).</source>
        <translation>请先选择模型（训练运行：用于预测）。</translation>
    </message>
    <message>
        <source>Reading the project&apos;s labeled volumes…</source>
        <translation>正在读取项目中已标注的体数据…</translation>
    </message>
    <message>
        <source>2.5D: each slice goes into the network with its nearest slices above and below as further channels, so that it sees a little of the third dimension. The model records the number, and prediction, the live preview and export feed the same neighbours. Applies when &quot;Use this project&apos;s labels&quot; is clicked; datasets of 8-bit images have no neighbours.</source>
        <translation>2.5D：每张切片连同其上下最近的切片作为额外通道输入网络，使其能看到一点第三维信息。模型会记录该数目，预测、实时预览和导出都输入相同的相邻切片。在点击“使用此项目的标注”时生效；8 位图像数据集没有相邻切片。</translation>
    </message>
    <message>
        <source>Slices per input</source>
        <translation>每次输入的切片数</translation>
    </message>
    <message>
        <source>1 (2D)</source>
        <translation>1（2D）</translation>
    </message>
    <message>
        <source>%1 (2.5D: %2 above and below)</source>
        <translation>%1（2.5D：上下各 %2 张）</translation>
    </message>
    <message>
        <source>Train for about this long: when the run starts, a few steps are measured on this computer and every stage gets the epochs that fit (the Epochs column is then ignored); the trainer fits them again to its pace as it goes and stops before it would overrun. A resumed run counts the time it has trained already. Off: the stages&apos; own epochs.</source>
        <translation>大约训练这么长时间：运行开始时在本机上测量几个训练步，每个阶段获得能放进预算的轮数（此时不使用“轮数”一列）；训练过程中训练器按实际速度再次调整轮数，并在将要超时前停止。恢复的运行会计入已经训练的时间。关闭：使用各阶段自己的轮数。</translation>
    </message>
    <message>
        <source>Time budget</source>
        <translation>时间预算</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message numerus="yes">
        <source>The epochs are fitted to the time budget (%n minute(s)) when the run starts.</source>
        <translation>
            <numerusform>运行开始时，轮数将按时间预算（%n 分钟）确定。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>medseg::ui::TrainingSession</name>
    <message>
        <source>This window has no project labels to train on.</source>
        <translation>此窗口中没有可用于训练的项目标签。</translation>
    </message>
    <message>
        <source>labeled slices of this project</source>
        <translation>本项目的已标注切片</translation>
    </message>
    <message>
        <source>No dataset: label some slices, or choose a VOC dataset folder.</source>
        <translation>没有数据集：请标注一些切片，或选择 VOC 数据集文件夹。</translation>
    </message>
    <message numerus="yes">
        <source>%n training slice(s)</source>
        <translation>
            <numerusform>%n 个训练切片</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n validation slice(s)</source>
        <translation>
            <numerusform>%n 个验证切片</numerusform>
        </translation>
    </message>
    <message>
        <source>%1: %2 slice(s), %3 pixels</source>
        <translation>%1：%2 个切片，%3 像素</translation>
    </message>
    <message>
        <source>Choose where runs are kept first.</source>
        <translation>请先选择训练运行的保存位置。</translation>
    </message>
    <message>
        <source>There are no labeled training slices.</source>
        <translation>没有已标注的训练切片。</translation>
    </message>
    <message>
        <source>A training is already running.</source>
        <translation>已有训练正在运行。</translation>
    </message>
    <message>
        <source>Cannot create the run folder %1.</source>
        <translation>无法创建训练运行文件夹 %1。</translation>
    </message>
    <message>
        <source>The training could not be started.</source>
        <translation>无法启动训练。</translation>
    </message>
    <message>
        <source>A training is running in this window.</source>
        <translation>此窗口中有训练正在运行。</translation>
    </message>
    <message>
        <source>%1 is not a training run of this project.</source>
        <translation>%1 不是此项目的训练运行。</translation>
    </message>
    <message>
        <source>This run is training or shown live; stop it first.</source>
        <translation>此运行正在训练或正在实时显示；请先停止它。</translation>
    </message>
    <message>
        <source>Could not delete all of %1.</source>
        <translation>无法完全删除 %1。</translation>
    </message>
    <message>
        <source>%1 is not a weight file for the %2 backbone: %3 weights are missing, %4 have another shape, %5 are unknown.</source>
        <translation>%1 不是 %2 骨干网络的权重文件：缺少 %3 个权重，%4 个形状不同，%5 个无法识别。</translation>
    </message>
    <message>
        <source>%1 tensors loaded, %2 adapted to the input channels, %3 skipped (the ImageNet classifier).</source>
        <translation>已载入 %1 个张量，%2 个已适配输入通道，跳过 %3 个（ImageNet 分类器）。</translation>
    </message>
    <message>
        <source>%1 cannot be read as weights: %2</source>
        <translation>%1 无法作为权重读取：%2</translation>
    </message>
    <message>
        <source>Input size %1 and output stride %2, chosen for these data (median slice %3 × %4) and this computer (%5).</source>
        <translation>输入尺寸 %1、输出步幅 %2，根据这些数据（切片中位尺寸 %3 × %4）和这台计算机（%5）选择。</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>8-bit grey levels</source>
        <translation>8 位灰度</translation>
    </message>
    <message>
        <source>window %1/%2</source>
        <translation>窗 %1/%2</translation>
    </message>
    <message>
        <source>clipped to %1..%2, z-score (mean %3, SD %4)</source>
        <translation>截断到 %1..%2，z-score（均值 %3，标准差 %4）</translation>
    </message>
    <message>
        <source>z-score per volume, over non-zero voxels</source>
        <translation>按体数据 z-score，仅非零体素</translation>
    </message>
    <message>
        <source>z-score per volume</source>
        <translation>按体数据 z-score</translation>
    </message>
    <message>
        <source>%1-%2 percentiles per volume</source>
        <translation>按体数据 %1–%2 百分位</translation>
    </message>
    <message>
        <source>Training cases (%1): %2</source>
        <translation>训练病例（%1）：%2</translation>
    </message>
    <message>
        <source>Validation cases (%1): %2</source>
        <translation>验证病例（%1）：%2</translation>
    </message>
    <message>
        <source>Intensities: %1</source>
        <translation>强度：%1</translation>
    </message>
    <message>
        <source>Training data are still being read.</source>
        <translation>仍在读取训练数据。</translation>
    </message>
    <message>
        <source>This run cannot be resumed: %1</source>
        <translation>无法恢复此运行：%1</translation>
    </message>
</context>
<context>
    <name>medseg::ui::ViewerPanel</name>
    <message>
        <source>%1 × %2 × %3 voxels</source>
        <translation>%1 × %2 × %3 体素</translation>
    </message>
    <message>
        <source>Spacing %1 × %2 × %3 mm</source>
        <translation>间距 %1 × %2 × %3 mm</translation>
    </message>
</context>
<context>
    <name>medseg::ui::WindowLevelBar</name>
    <message>
        <source>File window</source>
        <translation>文件窗</translation>
    </message>
    <message>
        <source>%1 (%2/%3)</source>
        <translation>%1 (%2/%3)</translation>
    </message>
    <message>
        <source>Window/Level</source>
        <translation>窗宽/窗位</translation>
    </message>
    <message>
        <source>Window </source>
        <translation>窗 </translation>
    </message>
    <message>
        <source> Level </source>
        <translation> 窗位 </translation>
    </message>
    <message>
        <source> Width </source>
        <translation> 窗宽 </translation>
    </message>
    <message>
        <source>The file&apos;s windows and the presets for this modality</source>
        <translation>文件自带的窗以及该模态的预设</translation>
    </message>
    <message>
        <source>CT brain</source>
        <translation>CT 脑</translation>
    </message>
    <message>
        <source>CT subdural</source>
        <translation>CT 硬膜下</translation>
    </message>
    <message>
        <source>CT stroke</source>
        <translation>CT 卒中</translation>
    </message>
    <message>
        <source>CT lung</source>
        <translation>CT 肺</translation>
    </message>
    <message>
        <source>CT mediastinum</source>
        <translation>CT 纵隔</translation>
    </message>
    <message>
        <source>CT abdomen</source>
        <translation>CT 腹部</translation>
    </message>
    <message>
        <source>CT liver</source>
        <translation>CT 肝脏</translation>
    </message>
    <message>
        <source>CT bone</source>
        <translation>CT 骨</translation>
    </message>
    <message>
        <source>VOI LUT of the file</source>
        <translation>文件的 VOI LUT</translation>
    </message>
    <message>
        <source>VOI LUT: %1</source>
        <translation>VOI LUT：%1</translation>
    </message>
    <message>
        <source>Custom window</source>
        <translation>自定义窗</translation>
    </message>
</context>
</TS>
