<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>AugmentPreviewCommand</name>
    <message numerus="yes">
        <source>Wrote %n augmented pair(s) to %1.
</source>
        <translation>
            <numerusform>Wrote %n augmented pair to %1.
</numerusform>
            <numerusform>Wrote %n augmented pairs to %1.
</numerusform>
        </translation>
    </message>
</context>
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
    <message numerus="yes">
        <source>Imported %1 (%2): %n training case(s); test cases: %3; labels: %4.
</source>
        <translation>
            <numerusform>Imported %1 (%2): %n training case; test cases: %3; labels: %4.
</numerusform>
            <numerusform>Imported %1 (%2): %n training cases; test cases: %3; labels: %4.
</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n case(s) to %1.
</source>
        <translation>
            <numerusform>Wrote %n case to %1.
</numerusform>
            <numerusform>Wrote %n cases to %1.
</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EvaluateCommand</name>
    <message numerus="yes">
        <source>%n case(s)</source>
        <translation>
            <numerusform>%n case</numerusform>
            <numerusform>%n cases</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>(HD95 undefined in %n case(s): label missing from the prediction or the ground truth)</source>
        <translation>
            <numerusform>(HD95 undefined in %n case: label missing from the prediction or the ground truth)</numerusform>
            <numerusform>(HD95 undefined in %n cases: label missing from the prediction or the ground truth)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ExportCommand</name>
    <message numerus="yes">
        <source>Input check (%1): %2, largest difference %3 over %n slice(s).
</source>
        <translation>
            <numerusform>Input check (%1): %2, largest difference %3 over %n slice.
</numerusform>
            <numerusform>Input check (%1): %2, largest difference %3 over %n slices.
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
    <name>PredictCommand</name>
    <message numerus="yes">
        <source>Segmented %n slice(s) of series %1 into %2.
</source>
        <translation>
            <numerusform>Segmented %n slice of series %1 into %2.
</numerusform>
            <numerusform>Segmented %n slices of series %1 into %2.
</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Wrote %n mask(s) to %1.
</source>
        <translation>
            <numerusform>Wrote %n mask to %1.
</numerusform>
            <numerusform>Wrote %n masks to %1.
</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Segmented %n case(s) into %1.
</source>
        <translation>
            <numerusform>Segmented %n case into %1.
</numerusform>
            <numerusform>Segmented %n cases into %1.
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
<context>
    <name>TrainCommand</name>
    <message numerus="yes">
        <source>Plan: %1; %n stage(s).
</source>
        <translation>
            <numerusform>Plan: %1; %n stage.
</numerusform>
            <numerusform>Plan: %1; %n stages.
</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrainingEventText</name>
    <message numerus="yes">
        <source>Training on %1 with %n thread(s).</source>
        <translation>
            <numerusform>Training on %1 with %n thread.</numerusform>
            <numerusform>Training on %1 with %n threads.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Training on %1 with %n thread(s), mixed precision %2.</source>
        <translation>
            <numerusform>Training on %1 with %n thread, mixed precision %2.</numerusform>
            <numerusform>Training on %1 with %n threads, mixed precision %2.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Stage “%1” stopped early: the Dice has not improved for %n epoch(s).</source>
        <translation>
            <numerusform>Stage “%1” stopped early: the Dice has not improved for %n epoch.</numerusform>
            <numerusform>Stage “%1” stopped early: the Dice has not improved for %n epochs.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Finished after %n step(s); best mean Dice %1.</source>
        <translation>
            <numerusform>Finished after %n step; best mean Dice %1.</numerusform>
            <numerusform>Finished after %n steps; best mean Dice %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Fitted to the time budget (%1): %n epoch(s) of %2 each.</source>
        <translation>
            <numerusform>Fitted to the time budget (%1): %n epoch of %2.</numerusform>
            <numerusform>Fitted to the time budget (%1): %n epochs of %2 each.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>medseg::ui::LabelSession</name>
    <message numerus="yes">
        <source>Accept prediction on %n slice(s)</source>
        <translation>
            <numerusform>Accept prediction on %n slice</numerusform>
            <numerusform>Accept prediction on %n slices</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>medseg::ui::PredictionSession</name>
    <message numerus="yes">
        <source>Accept %n predicted slice(s)</source>
        <translation>
            <numerusform>Accept %n predicted slice</numerusform>
            <numerusform>Accept %n predicted slices</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>medseg::ui::ProjectJobs</name>
    <message numerus="yes">
        <source>Wrote %n label file(s) to %1.</source>
        <translation>
            <numerusform>Wrote %n label file to %1.</numerusform>
            <numerusform>Wrote %n label files to %1.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%1 on %n validation case(s):</source>
        <translation>
            <numerusform>%1 on %n validation case:</numerusform>
            <numerusform>%1 on %n validation cases:</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>medseg::ui::TrainingPanel</name>
    <message numerus="yes">
        <source>Training stopped after %n step(s); resume it from Runs.</source>
        <translation>
            <numerusform>Training stopped after %n step; resume it from Runs.</numerusform>
            <numerusform>Training stopped after %n steps; resume it from Runs.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The predictions come from %1. %2

Accept them into the labels of %n slice(s)? You can undo this.</source>
        <translation>
            <numerusform>The predictions come from %1. %2

Accept them into the labels of %n slice? You can undo this.</numerusform>
            <numerusform>The predictions come from %1. %2

Accept them into the labels of %n slices? You can undo this.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The epochs are fitted to the time budget (%n minute(s)) when the run starts.</source>
        <translation>
            <numerusform>The epochs are fitted to the time budget (%n minute) when the run starts.</numerusform>
            <numerusform>The epochs are fitted to the time budget (%n minutes) when the run starts.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>medseg::ui::TrainingSession</name>
    <message numerus="yes">
        <source>%n training slice(s)</source>
        <translation>
            <numerusform>%n training slice</numerusform>
            <numerusform>%n training slices</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n validation slice(s)</source>
        <translation>
            <numerusform>%n validation slice</numerusform>
            <numerusform>%n validation slices</numerusform>
        </translation>
    </message>
</context>
</TS>
