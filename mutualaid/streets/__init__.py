"""Streets (街道) above communities, and grids (网格) of a community's buildings."""
