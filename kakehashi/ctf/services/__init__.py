"""Every write of the exercises app. Import the functions from their modules:
``events``, ``teams``, ``challenges``, ``play``, ``awards``, ``announcements``, ``standings``."""
