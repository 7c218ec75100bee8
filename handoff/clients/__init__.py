"""HTTP and data clients the bridge is handed at start (Rasa, KB service, shop)."""
