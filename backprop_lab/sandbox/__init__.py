"""Running untrusted notebooks: bubblewrap and its limits, the kernel, what runs inside it, the judge."""
