global using System.Diagnostics;
global using System.Net;
global using System.Text.Json;
global using Tvm.Features.Vending;
global using Tvm.Infrastructure.Errors;
global using Tvm.Tests.Support;

[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
[assembly: RestoreHealthyUpstreams]
