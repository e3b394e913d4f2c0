"""Registration: officers' profiles and their enrollments."""
