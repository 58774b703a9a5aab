//! The bridge to petgraph: conversion for small graphs and petgraph's component algorithms.
