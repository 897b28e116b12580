using Clearinghouse.Gateway.Security;
using Clearinghouse.Silo.Hosting;

// "hash-password" reads an operators' console password from standard input and prints its hash for
// Clearinghouse:Operators:<name>:PasswordHash.
if (args is ["hash-password"])
{
    var password = Console.In.ReadLine() ?? "";
    if (password.Length == 0)
    {
        await Console.Error.WriteLineAsync("hash-password: give the password on standard input (one line)");
        return 2;
    }

    Console.WriteLine(ConsolePasswords.Hash(password));
    return 0;
}

SocketCompletions.PreferInlineUnlessSet();
return await ClearinghouseHost.RunAsync(args);
