<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
        <source>Convert labeled DICOM series (NIfTI labels named by series UID) into a PASCAL VOC segmentation dataset, split by patient.</source>
        <translation>将已标注的 DICOM 序列（以序列 UID 命名的 NIfTI 标签）转换为按患者划分的 PASCAL VOC 分割数据集。</translation>
    </message>
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
        <source>DICOM folder with label files.</source>
        <translation>包含标签文件的 DICOM 文件夹。</translation>
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
        <source>--val-fraction must be a number from 0 to below 1.</source>
        <translation>--val-fraction 必须是大于等于 0 且小于 1 的数字。</translation>
    </message>
    <message>
        <source>--seed must be a number from 0.</source>
        <translation>--seed 必须是从 0 开始的数字。</translation>
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
        <source>--in-channels must be a number from 1 to 64.</source>
        <translation>--in-channels 必须是 1 到 64 之间的数字。</translation>
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
        <source>List the patients, studies and series in a DICOM folder, DICOMDIR or file.</source>
        <translation>列出 DICOM 文件夹、DICOMDIR 或文件中的患者、检查和序列。</translation>
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
        <source>A folder (read recursively), a DICOMDIR or a file.</source>
        <translation>文件夹（递归读取）、DICOMDIR 或单个文件。</translation>
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
        <source>--patients must be 1 to 99, --slices 1 to 1000, --size 16 to 1024 and --seed a number from 0.</source>
        <translation>--patients 必须为 1 到 99，--slices 为 1 到 1000，--size 为 16 到 1024，--seed 为从 0 开始的数字。</translation>
    </message>
    <message>
        <source>give exactly one output folder.</source>
        <translation>请只给出一个输出文件夹。</translation>
    </message>
    <message>
        <source>cannot create %1.</source>
        <translation>无法创建 %1。</translation>
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
        <source>--frame needs a number from 0 on, not &apos;%1&apos;.</source>
        <translation>--frame 需要从 0 开始的数字，而不是 &apos;%1&apos;。</translation>
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
    <message>
        <source>--max-ratio must be a number of at least 1.</source>
        <translation>--max-ratio 必须是不小于 1 的数字。</translation>
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
        <source>3D View</source>
        <translation>三维视图</translation>
    </message>
    <message>
        <source>Open a series to see its label table.</source>
        <translation>打开一个序列以查看其标签表。</translation>
    </message>
    <message>
        <source>Label some slices to train a segmentation model.</source>
        <translation>标注一些切片后即可训练分割模型。</translation>
    </message>
    <message>
        <source>Surfaces of the labels appear here.</source>
        <translation>标签的三维表面显示在这里。</translation>
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
        <source>Open a DICOM folder to start labeling (File &gt; Open DICOM Folder…), then double-click a series in the DICOM browser.</source>
        <translation>打开一个 DICOM 文件夹开始标注（文件 &gt; 打开 DICOM 文件夹…），然后在 DICOM 浏览器中双击一个序列。</translation>
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
</context>
</TS>
