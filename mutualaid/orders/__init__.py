"""Help orders: a resident's need, taken by a neighbour, seen through, credited in time."""
