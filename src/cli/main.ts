#!/usr/bin/env node
import { isSupported } from 'tinyrainbow'
import { runCli } from './run.js'

process.exitCode = runCli(process.argv.slice(2), {
  stdout: text => process.stdout.write(text),
  stderr: text => process.stderr.write(text),
  colors: isSupported(),
})
