using Clearinghouse.Silo.Hosting;

var app = ClearinghouseHost.Build(ClearinghouseHost.CreateBuilder(args));
await app.RunAsync();
