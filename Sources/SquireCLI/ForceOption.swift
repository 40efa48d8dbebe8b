import ArgumentParser

/// `--force`, taken by every command that writes files: see `OutputDestination` for the rule
/// it relaxes.
struct ForceOption: ParsableArguments {
    @Flag(
        name: .long,
        help:
            "Replace what is at an output path even if Squire did not write it there (never one of the inputs).")
    var force = false
}
