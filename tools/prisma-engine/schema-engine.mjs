#!/usr/bin/env node
// placeholder replaced by the offline bridge
