//! MPI for ringlab: communicators, point-to-point messages and collectives
//! over the inter-core bus. Empty until the MPI issue lands; see README.md.
#![no_std]
