"""`python -m services.ingest`: run every configured feed."""

from services.ingest.app import main

main()
