"""Data-only package: the shipped default model (card.json + model-<sha12>.joblib)."""
