"""Reputation over weeks: a brand's customers, reputation state and demand carried from day to day (docs/reputation_weeks.md)."""
