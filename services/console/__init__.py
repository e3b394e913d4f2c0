"""The console: the people who run the programme sign in here and work through the three APIs."""
