"""speech: audio I/O, offline recognition (Vosk) and synthesis (espeak-ng via pyttsx3).

Knows nothing of intents or skills; ``voice`` builds on it.
"""
