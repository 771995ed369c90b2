"""The skills that ship with voice-skills."""
