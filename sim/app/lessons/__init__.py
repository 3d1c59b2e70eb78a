"""The lesson pages: Streamlit scripts run by sim/app/main.py (not imported)."""
