"""Full-screen views of the app."""
