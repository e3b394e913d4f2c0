"""One small client per service; views call these, never HTTP by hand."""
