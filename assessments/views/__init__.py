"""Pages of the assessment app, one module per feature (``ratings``; the July-1 cycle joins as ``cycles``)."""
