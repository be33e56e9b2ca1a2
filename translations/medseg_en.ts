<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ConvertCommand</name>
    <message numerus="yes">
        <source>Wrote %n slice(s) of %1 series to %2.
</source>
        <translation>
            <numerusform>Wrote %n slice of %1 series to %2.
</numerusform>
            <numerusform>Wrote %n slices of %1 series to %2.
</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>InfoCommand</name>
    <message numerus="yes">
        <source>%n image(s)</source>
        <translation>
            <numerusform>%n image</numerusform>
            <numerusform>%n images</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Problems (%n file(s) skipped):</source>
        <translation>
            <numerusform>Problems (%n file skipped):</numerusform>
            <numerusform>Problems (%n files skipped):</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MakeDemoCommand</name>
    <message numerus="yes">
        <source>Wrote %n demo patient(s) to %1.
</source>
        <translation>
            <numerusform>Wrote %n demo patient to %1.
</numerusform>
            <numerusform>Wrote %n demo patients to %1.
</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StatsCommand</name>
    <message numerus="yes">
        <source>%n image(s), %1 labeled pixels, %2 ignored</source>
        <translation>
            <numerusform>%n image, %1 labeled pixels, %2 ignored</numerusform>
            <numerusform>%n images, %1 labeled pixels, %2 ignored</numerusform>
        </translation>
    </message>
</context>
</TS>
