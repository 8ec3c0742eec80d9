"""The demo: `flask demo` loads an organisation, its meetings, members and their story."""
