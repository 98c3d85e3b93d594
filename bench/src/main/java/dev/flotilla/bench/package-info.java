package dev.flotilla.bench;
