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
        <source>Open a DICOM folder to start labeling (File &gt; Open DICOM Folder…).</source>
        <translation>打开一个 DICOM 文件夹开始标注（文件 &gt; 打开 DICOM 文件夹…）。</translation>
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
        <source>Add a folder or DICOMDIR of DICOM images to the project</source>
        <translation>将包含 DICOM 图像的文件夹或 DICOMDIR 添加到项目</translation>
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
</context>
<context>
    <name>medseg::ui::SourcesPanel</name>
    <message>
        <source>No DICOM source yet. Open a folder or a DICOMDIR exported from PACS or a CD.</source>
        <translation>尚无 DICOM 数据源。请打开从 PACS 或光盘导出的文件夹或 DICOMDIR。</translation>
    </message>
</context>
</TS>
