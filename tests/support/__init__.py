"""Test support code that is not itself a test: throwaway services for the tests to use."""
