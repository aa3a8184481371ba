"""The comparison report (issue 16, "Attribution"): reports.comparison.build works it out,
reports.comparison.maths holds its arithmetic, reports.comparison.outputs shows it."""
