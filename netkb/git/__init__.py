"""The git repository a knowledge base lives in: commits and file history."""
