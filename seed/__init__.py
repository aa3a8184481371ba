"""Development and benchmark data: the demonstration, national-scale data and test factories.

Nothing in the service imports this app; it imports the others, so its generators can keep
every rule the services keep.
"""
