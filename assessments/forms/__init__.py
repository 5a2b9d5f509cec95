"""Forms of the assessment app, one module per feature."""
