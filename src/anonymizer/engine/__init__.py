"""Execution of a sanitize plan: column actions, privacy targets, verification, manifest.

``apply`` holds pure functions over one batch (a DataFrame); ``sanitize`` orchestrates a
whole run (read, plan, apply, enforce, write atomically, verify, report).
"""
