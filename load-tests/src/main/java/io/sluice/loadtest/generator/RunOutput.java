package io.sluice.loadtest.generator;

import io.sluice.loadtest.report.Summary;
import io.sluice.loadtest.report.TimelinePoint;
import java.util.List;

/** What one open-loop run measured. */
public record RunOutput(Summary summary, List<TimelinePoint> timeline) {}
