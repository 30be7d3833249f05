"""Training: the job manager, the scikit-learn and OpenAI backends, and the model registry."""
