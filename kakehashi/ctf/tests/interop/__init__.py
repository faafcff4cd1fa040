"""Tests of the CTFtime feed and event archives."""
