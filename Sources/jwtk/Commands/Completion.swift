import ArgumentParser

/// `jwtk completion bash|zsh|fish`: the shell completion script, generated from the commands themselves.
struct Completion: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a shell completion script (bash, zsh or fish).",
        discussion: """
            Subcommands, options and option values are completed, and every option that takes a file \
            (--key, --jwks, --secret-file, --claims, --token-file, the jwks and thumbprint PATH) completes file names.

            INSTALL
              bash: jwtk completion bash > ~/.local/share/bash-completion/completions/jwtk
              zsh:  jwtk completion zsh > "${fpath[1]}/_jwtk"
              fish: jwtk completion fish > ~/.config/fish/completions/jwtk.fish

            \(exitStatusHelp)
            """)

    /// The shells ArgumentParser generates scripts for.
    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
        var kind: CompletionShell {
            switch self {
            case .bash: return .bash
            case .zsh: return .zsh
            case .fish: return .fish
            }
        }
    }

    @Argument(help: "The shell: bash, zsh or fish.")
    var shell: Shell

    func run() throws {
        print(JWTKCommand.completionScript(for: shell.kind))
    }
}
