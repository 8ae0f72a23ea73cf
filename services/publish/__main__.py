"""`python -m services.publish`: run the publish stage."""

from services.publish.app import main

main()
