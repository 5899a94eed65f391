"""File formats the CRM reads and writes (CSV, Excel): plain code over the standard library and openpyxl."""
