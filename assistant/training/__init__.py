"""Training backends (scikit-learn locally, OpenAI fine-tuning), the job manager and model registry."""
