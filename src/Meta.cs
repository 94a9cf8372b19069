global using System.Diagnostics;
global using System.Text.Json;
global using FastEndpoints;
global using FluentValidation;
global using Microsoft.Extensions.Options;
global using Tvm.Features.Vending;
global using Tvm.Infrastructure.Configuration;
global using Tvm.Infrastructure.Errors;
