"""Streaks, XP and badges. Models are added by the gamification issue."""
