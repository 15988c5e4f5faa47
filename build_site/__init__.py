"""Turn raw historical texts into a clean, structured, citable library site."""
