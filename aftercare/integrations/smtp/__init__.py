"""Email through Django's email backends (SMTP by default, configured by EMAIL_* settings)."""
