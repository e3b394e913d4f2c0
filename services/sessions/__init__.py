"""Sessions: programmes, workshop and coaching series, sessions, attendance and indicators."""
