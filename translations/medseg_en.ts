<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
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
</TS>
