"""The offline plan: the real program under the SDK's mocks, recorded and rendered."""
