"""Order conversations: the requester, the helper and staff talk on an order, no phone
number shared (DESIGN.md "Between people")."""
