import RelayCore
print("derper \(ToolkitVersion.string)")
