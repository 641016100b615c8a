//! The data calls, named once: the model, the OS backend and the scenario
//! runner all say which call they make with [`DataCall`].

/// One of the six data calls of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataCall {
    /// `WSARecv`.
    Recv,
    /// `WSARecvFrom`.
    RecvFrom,
    /// `WSARecvMsg`.
    RecvMsg,
    /// `WSASend`.
    Send,
    /// `WSASendTo`.
    SendTo,
    /// `WSASendMsg`.
    SendMsg,
}

impl DataCall {
    /// Every data call.
    pub const ALL: [DataCall; 6] = [
        DataCall::Recv,
        DataCall::RecvFrom,
        DataCall::RecvMsg,
        DataCall::Send,
        DataCall::SendTo,
        DataCall::SendMsg,
    ];

    /// The Winsock function's name (`"WSARecvMsg"`).
    pub fn name(self) -> &'static str {
        match self {
            DataCall::Recv => "WSARecv",
            DataCall::RecvFrom => "WSARecvFrom",
            DataCall::RecvMsg => "WSARecvMsg",
            DataCall::Send => "WSASend",
            DataCall::SendTo => "WSASendTo",
            DataCall::SendMsg => "WSASendMsg",
        }
    }

    /// Whether it receives.
    pub fn is_recv(self) -> bool {
        matches!(
            self,
            DataCall::Recv | DataCall::RecvFrom | DataCall::RecvMsg
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_functions_and_half_receive() {
        let names: Vec<_> = DataCall::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "WSARecv",
                "WSARecvFrom",
                "WSARecvMsg",
                "WSASend",
                "WSASendTo",
                "WSASendMsg"
            ]
        );
        assert_eq!(DataCall::ALL.iter().filter(|c| c.is_recv()).count(), 3);
    }
}
